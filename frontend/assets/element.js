// Loads the widget and defines <kexie-workflow>: a host page needs only
// <script type="module" src="/kexie/element.js"></script> and the element itself.
// The wasm is asked for first, so that it downloads beside the module and the snippets it
// imports instead of after them; a static import would load the whole graph first.
const wasm = fetch(new URL("./kexie_widget_bg.wasm", import.meta.url));
const { default: init } = await import("./kexie_widget.js");

await init({ module_or_path: wasm });

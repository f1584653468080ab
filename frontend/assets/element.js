// The loader, the one file hosts name: it defines <kexie-workflow> and exports the
// module's API, ready (`import init, { mount } from "/kexie/kexie_widget.js"` re-exports
// it). A host page needs only <script type="module" src="/kexie/element.js"></script>.
// Everything else is in build-<hash>/ (scripts/build.sh fills in the hash), cached for
// good: a changed file comes under a new name, so only this loader is asked for again.
// The wasm is asked for first, so that it downloads beside the module and the snippets it
// imports instead of after them; a static import would load the whole graph first.
const build = new URL("./build-@BUILD@/", import.meta.url);
const wasm = fetch(new URL("kexie_widget_bg.wasm", build));
const widget = await import(new URL("kexie_widget.js", build).href);
await widget.default({ module_or_path: wasm });

export const { mount, Handle } = widget;
// Already done: calling it again returns the same instance.
export default widget.default;

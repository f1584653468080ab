// Loads the widget and defines <kexie-workflow>: a host page needs only
// <script type="module" src="/kexie/element.js"></script> and the element itself.
import init from "./kexie_widget.js";

await init();

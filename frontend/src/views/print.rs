//! 「打印审批单」: the server's printed record of the instance (`GET /instances/{id}/print`),
//! opened in a window of its own as a print preview, with 「打印」 for the browser's print
//! dialog.

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::app::use_session;

#[wasm_bindgen(inline_js = r#"
export function show_record(win, html, printLabel, closeLabel) {
  // The record's own stylesheet goes in as a constructed sheet: a page the host's strict
  // CSP governs may not take a <style> element, and this window is the host's.
  const doc = new DOMParser().parseFromString(html, "text/html");
  const sheet = new win.CSSStyleSheet();
  sheet.replaceSync(doc.querySelector("style")?.textContent ?? "");
  const d = win.document;
  d.documentElement.lang = doc.documentElement.lang;
  d.title = doc.title;
  d.adoptedStyleSheets = [sheet];
  const body = d.importNode(doc.body, true);
  // A bar the screen shows and paper does not: print, or close the window.
  const bar = d.createElement("div");
  bar.className = "kx-print-bar";
  for (const [label, act] of [[printLabel, () => win.print()], [closeLabel, () => win.close()]]) {
    const b = d.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.addEventListener("click", act);
    bar.append(b);
  }
  body.prepend(bar);
  d.body.replaceWith(body);
  win.focus();
}
export function show_failure(win, text) {
  win.document.body.textContent = text;
}
"#)]
extern "C" {
    fn show_record(win: &web_sys::Window, html: &str, print: &str, close: &str);
    fn show_failure(win: &web_sys::Window, text: &str);
}

#[derive(Properties, PartialEq)]
pub struct PrintProps {
    pub instance: AttrValue,
}

/// The button. The window opens on the click itself (a window opened later, when the record
/// has arrived, is what pop-up blockers stop), and the record is written into it.
#[function_component]
pub fn PrintButton(p: &PrintProps) -> Html {
    let s = use_session();
    let blocked = use_state(|| false);
    let onclick = {
        let (s, id, blocked) = (s.clone(), p.instance.clone(), blocked.clone());
        Callback::from(move |_| {
            let Some(win) = gloo::utils::window().open_with_url_and_target("", "_blank").ok().flatten() else {
                blocked.set(true);
                return;
            };
            blocked.set(false);
            let (s, id) = (s.clone(), id.clone());
            let lang = s.t("zh", "en");
            wasm_bindgen_futures::spawn_local(async move {
                match s.client.text(&format!("/instances/{id}/print?lang={lang}")).await {
                    Ok(html) => show_record(&win, &html, s.t("打印", "Print"), s.t("关闭", "Close")),
                    Err(f) => show_failure(&win, &f.explain(s.lang)),
                }
            });
        })
    };
    html! {
        <>
            <button type="button" class="kx-btn kx-print-btn" {onclick}>{ s.t("打印审批单", "Print the record") }</button>
            if *blocked {
                <span class="kx-error" role="alert">{ s.t("浏览器阻止了打印窗口，请允许本页弹出窗口后再试。", "The browser blocked the print window: allow pop-ups for this page and try again.") }</span>
            }
        </>
    }
}

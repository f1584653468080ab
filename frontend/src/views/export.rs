//! 「导出 Excel」 and 「导出 CSV」: a list or a report as the server writes it, with the same
//! filters and permissions as the screen, saved by the browser.

use yew::prelude::*;

use crate::app::use_session;

#[derive(Properties, PartialEq)]
pub struct ExportProps {
    /// The list's or report's path with its query, ending in `?` or `&`.
    pub path: String,
    /// The file's name, without its extension.
    pub name: String,
}

#[function_component]
pub fn ExportButtons(p: &ExportProps) -> Html {
    let s = use_session();
    let failed = use_state(|| None::<String>);
    let button = |format: &'static str, label: &'static str| {
        let (s, failed, path, name) = (s.clone(), failed.clone(), p.path.clone(), p.name.clone());
        let onclick = Callback::from(move |_| {
            let (s, failed, path, name) = (s.clone(), failed.clone(), path.clone(), name.clone());
            let lang = s.t("zh", "en");
            wasm_bindgen_futures::spawn_local(async move {
                let saved =
                    s.client.save(&format!("{path}format={format}&lang={lang}"), &format!("{name}.{format}")).await;
                failed.set(saved.err().map(|f| f.explain(s.lang)));
            });
        });
        html! { <button type="button" class="kx-btn kx-btn-small" {onclick}>{ label }</button> }
    };
    html! {
        <div class="kx-export" role="group" aria-label={s.t("导出", "Export")}>
            { button("xlsx", s.t("导出 Excel", "Excel")) }
            { button("csv", s.t("导出 CSV", "CSV")) }
            if let Some(f) = &*failed { <span class="kx-error" role="alert">{ f.clone() }</span> }
        </div>
    }
}

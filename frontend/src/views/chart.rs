//! A report drawn as a chart: the option Apache ECharts takes, built from the report's
//! table, drawn by the charts module (`charts/charts.js` in the build folder, loaded once,
//! on the first chart: only the reports view ever asks for it).

use std::rc::Rc;

use kexie_api::{Chart, ColumnKind, ReportTable};
use serde_json::{Value, json};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Element;
use yew::prelude::*;

use crate::app::use_session;
use crate::i18n::{Lang, pick};

#[wasm_bindgen(inline_js = r#"
let charts = null;
export function load_charts() {
  charts ??= import(new URL("../../charts/charts.js", import.meta.url).href);
  return charts;
}
export function draw_chart(module, el, option) { module.draw(el, option); }
export function dispose_chart(module, el) { module.dispose(el); }
"#)]
extern "C" {
    fn load_charts() -> js_sys::Promise;
    fn draw_chart(module: &JsValue, el: &Element, option: &str);
    fn dispose_chart(module: &JsValue, el: &Element);
}

#[derive(Properties, PartialEq)]
pub struct ChartProps {
    pub table: Rc<ReportTable>,
    /// What the chart shows, for screen readers (the table under it has the figures).
    pub label: String,
}

#[function_component]
pub fn ChartView(p: &ChartProps) -> Html {
    let s = use_session();
    let node = use_node_ref();
    {
        let (node, option) = (node.clone(), option(s.lang, &p.table).to_string());
        use_effect_with(option.clone(), move |_| {
            let el = node.cast::<Element>();
            let module = Rc::new(std::cell::RefCell::new(None::<JsValue>));
            if let Some(el) = el.clone() {
                let module = module.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(m) = JsFuture::from(load_charts()).await {
                        draw_chart(&m, &el, &option);
                        *module.borrow_mut() = Some(m);
                    }
                });
            }
            move || {
                if let (Some(el), Some(m)) = (el, module.borrow().as_ref()) {
                    dispose_chart(m, &el);
                }
            }
        });
    }
    html! { <div class="kx-chart" ref={node} role="img" aria-label={p.label.clone()}></div> }
}

/// The figures a chart plots: the hours of a durations report, else its first measure.
fn plotted(t: &ReportTable) -> Vec<usize> {
    let measures: Vec<usize> = (0..t.columns.len()).filter(|&i| t.columns[i].kind != ColumnKind::Group).collect();
    let hours: Vec<usize> = measures.iter().copied().filter(|&i| t.columns[i].kind == ColumnKind::Hours).collect();
    if hours.is_empty() { measures.into_iter().take(1).collect() } else { hours }
}

/// The ECharts option for `t`.
pub fn option(lang: Lang, t: &ReportTable) -> Value {
    let groups = t.columns.iter().filter(|c| c.kind == ColumnKind::Group).count();
    let label = |r: &kexie_api::ReportRow, k: usize| r.keys.get(k).map(|k| pick(lang, &k.label)).unwrap_or_default();
    let value = |r: &kexie_api::ReportRow, i: usize| r.values.get(i - groups).copied().flatten().unwrap_or(0.0);
    let base = json!({
        "animation": false,
        "aria": { "enabled": true },
        "tooltip": { "trigger": if t.chart == Chart::Pie { "item" } else { "axis" } },
        "textStyle": { "fontFamily": "system-ui, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif" },
        "color": ["#1f5fbf", "#2e9e6b", "#e0a030", "#c0504d", "#7a5bb5", "#2ba0b8", "#8c8c8c"],
    });
    let shown = plotted(t);
    // Counts are whole: no axis of 0.2, 0.4 … under them.
    let whole = shown.iter().all(|&i| t.columns[i].kind == ColumnKind::Count);
    let y_axis = if whole { json!({ "type": "value", "minInterval": 1 }) } else { json!({ "type": "value" }) };
    let spec = match t.chart {
        Chart::Pie => json!({
            "legend": { "bottom": 0, "type": "scroll" },
            "series": [{ "type": "pie", "radius": ["35%", "65%"], "top": 0, "bottom": 30,
                "label": { "formatter": "{b}\n{c}（{d}%）" },
                "data": t.rows.iter().map(|r| json!({ "name": label(r, 0), "value": value(r, shown[0]) })).collect::<Vec<_>>() }],
        }),
        Chart::StackedBars => {
            let xs = distinct(t.rows.iter().map(|r| label(r, 0)));
            let stacks = distinct(t.rows.iter().map(|r| label(r, 1)));
            let series: Vec<Value> = stacks
                .iter()
                .map(|st| {
                    let data: Vec<f64> = xs
                        .iter()
                        .map(|x| {
                            t.rows
                                .iter()
                                .filter(|r| label(r, 0) == *x && label(r, 1) == *st)
                                .map(|r| value(r, shown[0]))
                                .sum()
                        })
                        .collect();
                    json!({ "type": "bar", "name": st, "stack": "all", "data": data })
                })
                .collect();
            json!({ "legend": { "top": 0, "type": "scroll" }, "grid": { "top": 36, "bottom": 24, "left": 8, "right": 8, "containLabel": true },
                "xAxis": { "type": "category", "data": xs }, "yAxis": y_axis, "series": series })
        }
        Chart::Trend | Chart::Bars => {
            let kind = if t.chart == Chart::Trend { "line" } else { "bar" };
            let series: Vec<Value> = shown
                .iter()
                .map(|&i| {
                    json!({ "type": kind, "name": pick(lang, &t.columns[i].label),
                    "data": t.rows.iter().map(|r| value(r, i)).collect::<Vec<_>>() })
                })
                .collect();
            json!({ "legend": { "top": 0, "show": shown.len() > 1 }, "grid": { "top": 36, "bottom": 24, "left": 8, "right": 8, "containLabel": true },
                "xAxis": { "type": "category", "data": t.rows.iter().map(|r| label(r, 0)).collect::<Vec<_>>() },
                "yAxis": y_axis, "series": series })
        }
    };
    let mut out = base;
    if let (Value::Object(o), Value::Object(more)) = (&mut out, spec) {
        o.extend(more);
    }
    out
}

fn distinct(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

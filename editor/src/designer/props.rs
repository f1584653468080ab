//! The selected field's (or column's) properties: those every kind has, then those of
//! its kind only (`FieldKind::takes`), each written to workflow.toml when it changes.

use kexie_engine::definition::FieldKind;
use kexie_engine::definition::edit::{DefinitionDoc, List, Value};
use kexie_engine::fields::pattern_matches;
use kexie_engine::text::{Lang, Text};
use kexie_widget::app::{Session, use_session};
use kexie_widget::form::MEDIA_TYPES;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::{Editor, Pick, ids, label_of};

const MB: f64 = 1_048_576.0;

/// The policy's articles, for a field's `article`.
const ARTICLES: [&str; 17] = [
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五", "十六", "十七",
];

/// One entry's properties, as a form section.
pub(super) fn panel(s: &Session, doc: &DefinitionDoc, list: List, i: usize, edit: &Editor) -> Html {
    let kind = doc.str(list, i, "kind").and_then(|k| FieldKind::ALL.into_iter().find(|f| f.name() == k));
    let Some(kind) = kind else {
        return html! { <p class="kx-hint">{ s.t("此字段的类型无法识别，请在文本中修改。", "This field's kind is unknown; change it in the text.") }</p> };
    };
    let p = Panel { s, doc, list, i, edit };
    let id = doc.str(list, i, "id").unwrap_or_default().to_string();
    let column = matches!(list, List::Columns(_));
    let title = if column { s.t("列属性", "Column properties") } else { s.t("字段属性", "Field properties") };
    let takes = |key: &str| kind.takes(key);
    html! {
        <section key={id.clone()} class="kx-dz-props" aria-label={title}>
            <h3 class="kx-section-title">{ label_of(doc, list, i, s.lang) }<code class="kx-dz-id">{ id.clone() }</code></h3>
            { p.rename(&id) }
            if kind == FieldKind::RichText {
                <div class="kx-dz-pair">
                    { p.text("content", Lang::Zh, ("内容（中文）", "Content (Chinese)")) }
                    { p.text("content", Lang::En, ("内容（英文）", "Content (English)")) }
                </div>
            } else {
                <div class="kx-dz-pair">
                    { p.text("label", Lang::Zh, ("名称（中文）", "Label (Chinese)")) }
                    { p.text("label", Lang::En, ("名称（英文）", "Label (English)")) }
                </div>
            }
            <div class="kx-dz-pair">
                { p.text("help", Lang::Zh, ("填写说明（中文）", "Help (Chinese)")) }
                { p.text("help", Lang::En, ("填写说明（英文）", "Help (English)")) }
            </div>
            if matches!(kind, FieldKind::Text | FieldKind::LongText | FieldKind::Integer | FieldKind::Decimal) {
                <div class="kx-dz-pair">
                    { p.text("placeholder", Lang::Zh, ("占位提示（中文）", "Placeholder (Chinese)")) }
                    { p.text("placeholder", Lang::En, ("占位提示（英文）", "Placeholder (English)")) }
                </div>
            }
            <div class="kx-dz-flags">
                if kind != FieldKind::RichText {
                    { p.flag("required", ("必填", "Required")) }
                    { p.flag("computed", ("由规则计算（员工不填）", "Computed by the rules (not typed)")) }
                }
                if takes("multiple") { { p.flag("multiple", ("可选多个", "Several")) } }
                if column && kind.is_number() { { p.flag("total", ("显示合计", "Show the total")) } }
            </div>
            if !column { { p.article() } }
            <div class="kx-dz-grid">
                if takes("min") {
                    { p.number("min", false, ("最小值", "Minimum")) }
                    { p.number("max", false, ("最大值", "Maximum")) }
                }
                if takes("scale") { { p.number("scale", true, ("小数位数", "Decimal places")) } }
                if takes("min_length") {
                    { p.number("min_length", true, ("最少字数", "Fewest characters")) }
                    { p.number("max_length", true, ("最多字数", "Most characters")) }
                }
                if takes("min_items") {
                    { p.number("min_items", true, ("至少选几项", "Fewest chosen")) }
                    { p.number("max_items", true, ("至多选几项", "Most chosen")) }
                }
                if takes("min_rows") {
                    { p.number("min_rows", true, ("至少几行", "Fewest rows")) }
                    { p.number("max_rows", true, ("至多几行", "Most rows")) }
                }
                if takes("max_size") {
                    { p.megabytes() }
                    { p.number("max_files", true, ("最多几个文件", "Most files")) }
                }
            </div>
            if takes("unit") {
                <div class="kx-dz-pair">
                    { p.text("unit", Lang::Zh, ("单位（中文）", "Unit (Chinese)")) }
                    { p.text("unit", Lang::En, ("单位（英文）", "Unit (English)")) }
                </div>
            }
            if takes("pattern") { { p.pattern() } }
            if takes("options") { { p.options() } }
            if takes("accept") { { p.accept() } }
            if takes("role") { { p.string("role", ("只能选择此角色的人", "Only people holding this role"), "kexie_expert") } }
            if takes("workflow") { { p.string("workflow", ("关联的流程（key）", "Workflow referred to (its key)"), "annual-plan") } }
        </section>
    }
}

/// The entry a panel edits.
struct Panel<'a> {
    s: &'a Session,
    doc: &'a DefinitionDoc,
    list: List,
    i: usize,
    edit: &'a Editor,
}

impl Panel<'_> {
    fn here(&self) -> Pick {
        Pick::at(self.list, self.i)
    }

    /// Sets `key` from what was typed (`None`: typed nothing usable, so nothing changes).
    fn on_input(&self, read: impl Fn(String) -> Option<Option<Value>> + 'static, key: &'static str) -> Callback<Event> {
        let (list, i, here) = (self.list, self.i, self.here());
        let (edit, read) = (self.edit.clone(), read);
        Callback::from(move |e: Event| {
            let typed = e.target_unchecked_into::<HtmlInputElement>().value();
            if let Some(value) = read(typed) {
                edit.apply(|d| {
                    d.set(list, i, key, value);
                    here
                });
            }
        })
    }

    /// One language of a bilingual text.
    fn text(&self, key: &'static str, lang: Lang, name: (&'static str, &'static str)) -> Html {
        let value = self.doc.text(self.list, self.i, key).unwrap_or_default();
        let (list, i) = (self.list, self.i);
        let onchange = self.edit.on(move |d, e: Event| {
            let typed = e.target_unchecked_into::<HtmlInputElement>().value();
            let mut t = d.text(list, i, key).unwrap_or_default();
            *(if lang == Lang::Zh { &mut t.zh } else { &mut t.en }) = typed.trim().to_string();
            d.set_text(list, i, key, &t);
            Pick::at(list, i)
        });
        html! {
            <label class="kx-field">
                <span class="kx-label">{ self.s.t(name.0, name.1) }</span>
                <input class="kx-input" value={value.get(lang).to_string()} {onchange} />
            </label>
        }
    }

    fn string(&self, key: &'static str, name: (&'static str, &'static str), example: &str) -> Html {
        let value = self.doc.str(self.list, self.i, key).unwrap_or_default().to_string();
        let onchange = self.on_input(|t| Some((!t.trim().is_empty()).then(|| t.trim().into())), key);
        html! {
            <label class="kx-field">
                <span class="kx-label">{ self.s.t(name.0, name.1) }</span>
                <input class="kx-input" {value} placeholder={example.to_string()} {onchange} />
            </label>
        }
    }

    fn flag(&self, key: &'static str, name: (&'static str, &'static str)) -> Html {
        let on = self.doc.value(self.list, self.i, key).and_then(Value::as_bool).unwrap_or(false);
        let (list, i) = (self.list, self.i);
        let onchange = self.edit.on(move |d, e: Event| {
            let on = e.target_unchecked_into::<HtmlInputElement>().checked();
            d.set(list, i, key, on.then(|| true.into()));
            Pick::at(list, i)
        });
        html! {
            <label class="kx-dz-inline">
                <input type="checkbox" checked={on} {onchange} />{ self.s.t(name.0, name.1) }
            </label>
        }
    }

    /// A number; `whole` ones are counts, the others a field's bounds (which may have
    /// decimals). An empty box removes the key.
    fn number(&self, key: &'static str, whole: bool, name: (&'static str, &'static str)) -> Html {
        let value = self.doc.value(self.list, self.i, key).map(|v| v.clone().decorated("", "").to_string());
        let onchange = self.on_input(move |t| number_value(&t, whole), key);
        html! {
            <label class="kx-field">
                <span class="kx-label">{ self.s.t(name.0, name.1) }</span>
                <input class="kx-input" type="number" step={if whole { "1" } else { "any" }} min={whole.then_some("0")}
                    value={value.unwrap_or_default()} {onchange} />
            </label>
        }
    }

    /// `max_size`, shown and typed in MB, written in bytes.
    fn megabytes(&self) -> Html {
        let bytes = self.doc.value(self.list, self.i, "max_size").and_then(Value::as_integer);
        let shown = bytes.map(|b| format!("{}", (b as f64 / MB * 100.0).round() / 100.0)).unwrap_or_default();
        let onchange = self.on_input(
            |t| match t.trim() {
                "" => Some(None),
                t => t.parse::<f64>().ok().filter(|mb| *mb > 0.0).map(|mb| Some(((mb * MB).round() as i64).into())),
            },
            "max_size",
        );
        html! {
            <label class="kx-field">
                <span class="kx-label">{ self.s.t("单个文件最大（MB）", "Largest file (MB)") }</span>
                <input class="kx-input" type="number" step="any" min="0" value={shown} {onchange} />
            </label>
        }
    }

    fn article(&self) -> Html {
        let now = self.doc.str(self.list, self.i, "article").unwrap_or_default().to_string();
        let (list, i) = (self.list, self.i);
        let onchange = self.edit.on(move |d, e: Event| {
            let chosen = e.target_unchecked_into::<HtmlSelectElement>().value();
            d.set(list, i, "article", (!chosen.is_empty()).then(|| chosen.into()));
            Pick::at(list, i)
        });
        let lang = self.s.lang;
        let option = |a: &str| {
            let name = match lang {
                Lang::Zh => format!("第（{a}）条"),
                Lang::En => kexie_engine::text::cite(a, lang),
            };
            html! { <option value={a.to_string()} selected={now == a}>{ name }</option> }
        };
        // An article written as a range ("十四–十五") is kept and offered as written.
        let written = (!now.is_empty() && !ARTICLES.contains(&now.as_str())).then(|| option(&now));
        html! {
            <label class="kx-field">
                <span class="kx-label">{ self.s.t("依据《意见》条款", "Policy article") }</span>
                <select class="kx-input" {onchange}>
                    <option value="" selected={now.is_empty()}>{ self.s.t("（不注明）", "(none)") }</option>
                    { for written }
                    { for ARTICLES.iter().map(|a| option(a)) }
                </select>
            </label>
        }
    }

    fn pattern(&self) -> Html {
        let now = self.doc.str(self.list, self.i, "pattern").unwrap_or_default().to_string();
        let onchange = self.on_input(|t| Some((!t.is_empty()).then(|| t.into())), "pattern");
        html! {
            <div class="kx-dz-pattern">
                <label class="kx-field">
                    <span class="kx-label">{ self.s.t("格式（正则表达式，须整体匹配）", "Format (a regular expression the whole text must match)") }</span>
                    <input class="kx-input kx-mono" value={now.clone()} placeholder="[0-9]{6}" {onchange} />
                </label>
                if !now.is_empty() { <PatternTester pattern={now} /> }
            </div>
        }
    }

    fn options(&self) -> Html {
        let (s, list, i) = (self.s, self.list, self.i);
        let options = self.doc.options(list, i);
        let n = options.len();
        let values: Vec<String> = options.iter().map(|(v, _)| v.clone()).collect();
        let rows = options.into_iter().enumerate().map(|(j, (value, label))| {
            let set = |part: usize| {
                let (value, label) = (value.clone(), label.clone());
                self.edit.on(move |d, e: Event| {
                    let typed = e.target_unchecked_into::<HtmlInputElement>().value().trim().to_string();
                    let (mut v, mut l) = (value.clone(), label.clone());
                    match part {
                        0 if !typed.is_empty() => v = typed,
                        1 => l.zh = typed,
                        2 => l.en = typed,
                        _ => {}
                    }
                    d.set_option(list, i, j, &v, &l);
                    Pick::at(list, i)
                })
            };
            let move_to = |to: usize| {
                self.edit.on(move |d, _: MouseEvent| {
                    d.move_option(list, i, j, to);
                    Pick::at(list, i)
                })
            };
            let remove = self.edit.on(move |d, _: MouseEvent| {
                d.remove_option(list, i, j);
                Pick::at(list, i)
            });
            let named = |what: &str| format!("{what} {}", label.get(s.lang));
            html! {
                <li class="kx-dz-option">
                    <input class="kx-input kx-mono" aria-label={named(s.t("选项值", "Value of"))} value={value.clone()} onchange={set(0)} />
                    <input class="kx-input" aria-label={named(s.t("中文名称", "Chinese label of"))} value={label.zh.clone()} onchange={set(1)} />
                    <input class="kx-input" aria-label={named(s.t("英文名称", "English label of"))} value={label.en.clone()} onchange={set(2)} />
                    <button type="button" class="kx-btn kx-btn-small" disabled={j == 0} onclick={move_to(j.saturating_sub(1))}
                        aria-label={named(s.t("上移", "Move up"))}>{ "↑" }</button>
                    <button type="button" class="kx-btn kx-btn-small" disabled={j + 1 == n} onclick={move_to(j + 1)}
                        aria-label={named(s.t("下移", "Move down"))}>{ "↓" }</button>
                    <button type="button" class="kx-btn kx-btn-small" disabled={n == 1} onclick={remove}
                        aria-label={named(s.t("删除", "Delete"))}>{ s.t("删除", "Delete") }</button>
                </li>
            }
        });
        let value = super::unused_id(&values, &format!("option_{}", n + 1));
        let add = self.edit.on(move |d, _: MouseEvent| {
            d.add_option(list, i, n, &value, &Text::new(format!("选项{}", n + 1), format!("Option {}", n + 1)));
            Pick::at(list, i)
        });
        html! {
            <fieldset class="kx-dz-options">
                <legend class="kx-label">{ s.t("选项（值 · 中文名称 · 英文名称）", "Options (value · Chinese · English)") }</legend>
                <ol class="kx-dz-option-list">{ for rows }</ol>
                <button type="button" class="kx-btn kx-btn-small" onclick={add}>{ s.t("添加选项", "Add option") }</button>
            </fieldset>
        }
    }

    /// The media types an attachment accepts, ticked from those people know.
    fn accept(&self) -> Html {
        let now: Vec<String> = self
            .doc
            .value(self.list, self.i, "accept")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect())
            .unwrap_or_default();
        let (list, i) = (self.list, self.i);
        let boxes = MEDIA_TYPES.iter().map(|(media, name)| {
            let on = now.contains(&media.to_string());
            let mut next = now.clone();
            if on {
                next.retain(|m| m != media);
            } else {
                next.push(media.to_string());
            }
            let onchange = self.edit.on(move |d, _: Event| {
                let value = (!next.is_empty()).then(|| Value::Array(next.iter().map(String::as_str).collect()));
                d.set(list, i, "accept", value);
                Pick::at(list, i)
            });
            html! { <label class="kx-dz-inline"><input type="checkbox" checked={on} {onchange} />{ *name }</label> }
        });
        html! {
            <fieldset class="kx-dz-accept">
                <legend class="kx-label">{ self.s.t("允许的文件类型（不选则不限）", "File types accepted (none ticked: any)") }</legend>
                { for boxes }
            </fieldset>
        }
    }

    /// The id, renamed together with every place naming it.
    fn rename(&self, id: &str) -> Html {
        let (edit, old, lang) = (self.edit.clone(), id.to_string(), self.s.lang);
        let taken = ids(self.doc, self.list);
        let steps = ids(self.doc, List::Steps);
        let onchange = Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<HtmlInputElement>();
            let new = input.value().trim().to_string();
            if new == old {
                return;
            }
            match refusal(&old, &new, &taken, &steps, &edit.bundle.workflow_toml, lang) {
                Some(why) => {
                    input.set_value(&old);
                    edit.refuse(why);
                }
                None => {
                    edit.refusal.set(None);
                    edit.on_change.emit(edit.bundle.rename_field(&old, &new));
                }
            }
        });
        html! {
            <label class="kx-field">
                <span class="kx-label">{ self.s.t("标识（规则和案例用它称呼此字段）", "Id (what the rules and cases call it)") }</span>
                <input class="kx-input kx-mono" value={id.to_string()} {onchange} />
                <span class="kx-hint">{ self.s.t("改标识会一并改掉规则、案例、步骤和报表中对它的引用。", "Renaming also renames it in the rules, cases, steps and reports.") }</span>
            </label>
        }
    }
}

/// Why `old` cannot become `new`, or `None` when it can.
fn refusal(old: &str, new: &str, taken: &[String], steps: &[String], toml: &str, lang: Lang) -> Option<String> {
    let valid = new.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && new.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    let own = format!("id = \"{old}\"");
    let (zh, en) = if !valid {
        (
            format!("标识「{new}」不可用：须以小写字母开头，只含小写字母、数字和 _。"),
            format!(
                "'{new}' cannot be an id: it must start with a lower-case letter and hold only lower-case letters, digits and _."
            ),
        )
    } else if taken.iter().any(|t| t == new) || steps.iter().any(|t| t == new) {
        (format!("标识「{new}」已被使用。"), format!("The id '{new}' is already used."))
    } else if steps.iter().any(|t| t == old) || toml.lines().filter(|l| l.trim() == own).count() > 1 {
        (
            format!("「{old}」也是另一个步骤或字段的标识，无法区分各处引用；请在文本中修改。"),
            format!(
                "'{old}' is also another step's or field's id, so its uses cannot be told apart; rename it in the text."
            ),
        )
    } else {
        return None;
    };
    Some(if lang == Lang::Zh { zh } else { en })
}

/// What a number box holds: `Some(None)` when empty, `None` when it is no number.
fn number_value(typed: &str, whole: bool) -> Option<Option<Value>> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Some(None);
    }
    if let Ok(n) = typed.parse::<i64>() {
        return (!whole || n >= 0).then(|| Some(n.into()));
    }
    let f = typed.parse::<f64>().ok().filter(|f| f.is_finite() && !whole)?;
    Some(Some(f.into()))
}

#[derive(Properties, PartialEq)]
struct TesterProps {
    pattern: String,
}

/// Try a text against the pattern as the form will judge it.
#[function_component]
fn PatternTester(p: &TesterProps) -> Html {
    let s = use_session();
    let sample = use_state(String::new);
    let oninput = {
        let sample = sample.clone();
        Callback::from(move |e: InputEvent| sample.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let verdict = match pattern_matches(&p.pattern, &sample) {
        Err(e) => {
            html! { <span class="kx-dz-bad">{ format!("{}{e}", s.t("不是有效的正则表达式：", "Not a valid regular expression: ")) }</span> }
        }
        Ok(_) if sample.is_empty() => {
            html! { <span class="kx-hint">{ s.t("输入一段文字，看它是否符合格式。", "Type a text to see whether it has the format.") }</span> }
        }
        Ok(true) => html! { <span class="kx-dz-good">{ s.t("✓ 符合格式", "✓ Has the format") }</span> },
        Ok(false) => {
            html! { <span class="kx-dz-bad">{ s.t("✗ 不符合格式（员工会看到「格式不正确。」）", "✗ Does not have the format (employees see “The format is not right.”)") }</span> }
        }
    };
    html! {
        <div class="kx-dz-tester">
            <label class="kx-field">
                <span class="kx-label">{ s.t("试一试", "Try it") }</span>
                <input class="kx-input" value={(*sample).clone()} {oninput} />
            </label>
            <p class="kx-dz-verdict" role="status" aria-live="polite">{ verdict }</p>
        </div>
    }
}

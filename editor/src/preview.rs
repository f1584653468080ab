//! The live preview: the form as the edited rules make it, acting as anyone in the cases'
//! directory at whatever step the walk has reached, with the widget's own form and action
//! components; the walk can be saved as a golden case.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use kexie_api::{InstanceView, Notes, instance_view};
use kexie_engine::Evaluation;
use kexie_engine::bundle::{Bundle, PEOPLE_FILE, is_case_name};
use kexie_engine::fields::FieldError;
use kexie_engine::instance::{self, Action, ActionError, Env};
use kexie_engine::people::{Actor, Directory};
use kexie_widget::app::{Compiled, Session, use_session};
use kexie_widget::form::{FormView, Shared, reference};
use kexie_widget::i18n::{moment, pick};
use kexie_widget::views::{ActionBar, Notice, action_label, notice, status_label};
use serde_json::json;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::sim::{self, Sim, SimMsg};

#[derive(Properties, PartialEq)]
pub struct PreviewProps {
    pub wf: Shared<Compiled>,
    pub bundle: Rc<Bundle>,
    pub sim: UseReducerHandle<Sim>,
    /// A recorded case: file name and text.
    pub on_record: Callback<(String, String)>,
}

#[function_component]
pub fn Preview(p: &PreviewProps) -> Html {
    let s = use_session();
    let wf = p.wf.0.clone();
    let dir = Rc::new(p.bundle.people().map(|people| people.directory(&Default::default())).unwrap_or_default());
    use_first_starter(&p.sim, &dir, &wf);
    // The pickers (transfer, add approver, CC, person fields) offer the cases' people, whom
    // the preview can then act as, not the server's directory.
    let people = use_memo(p.bundle.cases.get(PEOPLE_FILE).cloned(), |_| directory_search(&dir));
    let sim = &*p.sim;
    let Some(actor) = sim.actor_in(&dir) else {
        return notice(&Some(Notice::Info(
            s.t(
                "请先在 cases/_people.toml 中列出人员，预览时可扮演他们。",
                "List people in cases/_people.toml to act as them in the preview.",
            )
            .into(),
        )));
    };
    let view = match view_of(&wf, sim, &actor, &dir) {
        Ok(view) => Rc::new(view),
        // Before the first action, as somebody who may not start the workflow.
        Err(refused) => {
            return html! {
                <div class="kx-ed-preview">
                    { controls(&s, p, &dir, &actor, None) }
                    { notice(&Some(Notice::Info(refused.message().render(s.lang)))) }
                </div>
            };
        }
    };
    // Person fields may name anybody in the cases' directory, not only whom the instance mentions.
    let names: Rc<BTreeMap<String, String>> = Rc::new(dir.0.values().map(|a| (a.id.clone(), a.name.clone())).collect());
    let (eval, failed, errors) = evaluated(&s, &wf, sim, &actor);
    let on_act = {
        let (dispatch, wf, dir, lang) = (p.sim.dispatcher(), wf.clone(), dir.clone(), s.lang);
        Callback::from(move |a: Action| dispatch.dispatch(SimMsg::Act(wf.clone(), dir.clone(), a, lang)))
    };
    let editable: BTreeSet<String> = view.editable.iter().cloned().collect();
    let session = Session { people: Some((*people).clone()), ..s.clone() };
    html! {
        <ContextProvider<Session> context={session}>
        <div class="kx-ed-preview">
            { controls(&s, p, &dir, &actor, Some(&view)) }
            { outcome(&s, sim) }
            { notice(&failed) }
            <FormView wf={p.wf.clone()} values={Rc::new(sim.values.clone())} {eval} editable={Rc::new(editable)}
                errors={Rc::new(errors)} on_change={p.sim.dispatcher().to_callback().reform(|(k, v)| SimMsg::Set(k, v))}
                on_blur={p.sim.dispatcher().to_callback().reform(SimMsg::Touch)} names={names.clone()} />
            <ActionBar view={view.clone()} busy={false} {on_act} />
            if view.actions.is_empty() {
                <p class="kx-hint">{ waiting(&s, &view) }</p>
            }
            <Recorder sim={p.sim.clone()} wf={p.wf.clone()} bundle={p.bundle.clone()} {names}
                on_record={p.on_record.clone()} />
        </div>
        </ContextProvider<Session>>
    }
}

/// At first, the preview acts as the first person who may start the workflow.
#[hook]
fn use_first_starter(sim: &UseReducerHandle<Sim>, dir: &Directory, wf: &Compiled) {
    let first = dir.0.values().find(|a| wf.wf.definition.may_start(a)).or_else(|| dir.0.values().next());
    let (sim, first) = (sim.clone(), first.map(|a| a.id.clone()));
    use_effect_with(sim.actor.is_none(), move |unset| {
        if let (true, Some(id)) = (*unset, first) {
            sim.dispatch(SimMsg::ActAs(id));
        }
    });
}

/// The rules' verdict on the form as `actor` sees it, a failing rule as a notice (the
/// form stays usable), and the errors to show: of fields touched, and the last refusal's.
fn evaluated(
    s: &Session,
    wf: &Compiled,
    sim: &Sim,
    actor: &Actor,
) -> (Rc<Evaluation>, Option<Notice>, Vec<FieldError>) {
    let (eval, failed) = match wf.wf.evaluate(&sim.values, &sim.rule_context(wf, actor)) {
        Ok(e) => (Rc::new(e), None),
        Err(e) => (Rc::default(), Some(Notice::Error(format!("{}{e}", s.t("规则运行出错：", "A rule failed: "))))),
    };
    let touched = eval.errors.iter().filter(|e| sim.touched.contains(kexie_widget::form::root_of(&e.path)));
    let errors = touched.cloned().chain(sim.refused.iter().cloned()).collect();
    (eval, failed, errors)
}

/// A `people(query, kind)` function, as a host gives the widget, over the cases' directory.
fn directory_search(dir: &Directory) -> js_sys::Function {
    let people: Vec<Actor> = dir.0.values().cloned().collect();
    let search = move |query: String, kind: String, role: Option<String>| -> JsValue {
        let q = query.trim().to_lowercase();
        let found: Vec<serde_json::Value> = if kind == "department" {
            let mut depts: Vec<&String> = people.iter().filter_map(|a| a.department.as_ref()).collect();
            depts.sort();
            depts.dedup();
            depts.into_iter().filter(|d| d.to_lowercase().contains(&q)).map(|d| json!({ "id": d, "name": d })).collect()
        } else {
            let hit = |a: &&Actor| {
                (a.id.to_lowercase().contains(&q) || a.name.to_lowercase().contains(&q))
                    && role.as_deref().is_none_or(|r| a.has_role(r))
            };
            people
                .iter()
                .filter(hit)
                .map(|a| json!({ "id": a.id, "name": a.name, "department": a.department }))
                .collect()
        };
        js_sys::JSON::parse(&serde_json::Value::from(found).to_string()).unwrap_or(JsValue::NULL)
    };
    Closure::<dyn Fn(String, String, Option<String>) -> JsValue>::new(search).into_js_value().unchecked_into()
}

/// Who to act as, where the walk is, and the clock.
fn controls(s: &Session, p: &PreviewProps, dir: &Directory, actor: &Actor, view: Option<&InstanceView>) -> Html {
    let id = s.dom_id("ed-actor");
    let onchange = p
        .sim
        .dispatcher()
        .to_callback()
        .reform(|e: Event| SimMsg::ActAs(e.target_unchecked_into::<HtmlSelectElement>().value()));
    let people = dir.0.values().map(|a| {
        let roles = if a.roles.is_empty() { String::new() } else { format!(" · {}", a.roles.join("、")) };
        html! { <option value={a.id.clone()} selected={a.id == actor.id}>{ format!("{}（{}）{roles}", a.name, a.id) }</option> }
    });
    let clock = format!("{}{}", s.t("模拟时间：", "Simulated time: "), moment(s.lang, &p.sim.clock().to_string()));
    html! {
        <div class="kx-ed-sim">
            <div class="kx-ed-sim-who">
                <label for={id.clone()}>{ s.t("扮演", "Act as") }</label>
                <select {id} class="kx-input" {onchange}>{ for people }</select>
            </div>
            <div class="kx-ed-sim-where">
                { view.map(|v| whereabouts(s, v)).unwrap_or_default() }
                <span class="kx-hint">{ clock }</span>
            </div>
            <div class="kx-ed-sim-tools">
                <button type="button" class="kx-btn" onclick={p.sim.dispatcher().to_callback().reform(|_| SimMsg::Wait(1))}>{ s.t("时间 +1 天", "+1 day") }</button>
                <button type="button" class="kx-btn" onclick={p.sim.dispatcher().to_callback().reform(|_| SimMsg::Reset)}>{ s.t("从头开始", "Start over") }</button>
            </div>
        </div>
    }
}

/// The step the walk is at, its status and route, and at a notice step when it may close.
fn whereabouts(s: &Session, view: &InstanceView) -> Html {
    let step = view.step_label.as_ref().map(|l| pick(s.lang, l)).unwrap_or_else(|| view.step.clone());
    let status = status_label(s.lang, &view.status, false);
    let route = view.route.join(" → ");
    html! {
        <>
            <span>{ s.t("当前步骤：", "Step: ") }<strong>{ step }</strong>{ format!(" · {status}") }</span>
            if let Some(until) = &view.notice_until {
                <span>{ format!("{}{}", s.t("公示期满：", "Notice ends: "), moment(s.lang, until)) }</span>
            }
            if let Some(t) = &view.vote { <span>{ t.describe().render(s.lang) }</span> }
            if !route.is_empty() { <span class="kx-hint">{ route }</span> }
        </>
    }
}

/// What the last action did.
fn outcome(s: &Session, sim: &Sim) -> Html {
    let n = match &sim.outcome {
        None => None,
        Some(Ok(step)) => {
            Some(Notice::Success(format!("{}{step}", s.t("已办理，现在的步骤：", "Done; now at step: "))))
        }
        Some(Err(why)) => Some(Notice::Error(format!("{}{why}", s.t("被拒绝：", "Refused: ")))),
    };
    notice(&n)
}

/// Who the step waits for, when the person acted as has nothing to do.
fn waiting(s: &Session, view: &InstanceView) -> String {
    let who: Vec<&str> = view.waiting_for.iter().map(|id| view.name_of(id)).collect();
    match (who.is_empty(), s.lang) {
        (true, _) => s.t("此身份在这一步没有可办理的事项。", "Nothing for this person to do at this step.").into(),
        (false, kexie_engine::text::Lang::Zh) => {
            format!("此身份在这一步没有可办理的事项；这一步等待：{}。", who.join("、"))
        }
        (false, kexie_engine::text::Lang::En) => {
            format!("Nothing for this person to do here; the step waits for {}.", who.join(", "))
        }
    }
}

/// The preview's instance as the server would show it to `actor`: the walk's instance, or
/// before the first action the draft that starting it would make (refused to somebody
/// who may not start the workflow).
fn view_of(wf: &Compiled, sim: &Sim, actor: &Actor, dir: &Directory) -> Result<InstanceView, ActionError> {
    let refs = reference::known();
    let env = Env { now: sim.clock(), directory: dir, refs: &refs };
    match &sim.instance {
        Some(inst) => Ok(instance_view(&wf.wf, inst, actor, &env, Notes::Ask)),
        None => {
            let draft = instance::start(&wf.wf, sim::PREVIEW_ID, actor, sim.values.clone(), &env)?;
            Ok(instance_view(&wf.wf, &draft.instance, actor, &env, Notes::Skip))
        }
    }
}

#[derive(Properties, PartialEq)]
struct RecorderProps {
    sim: UseReducerHandle<Sim>,
    wf: Shared<Compiled>,
    bundle: Rc<Bundle>,
    names: Rc<BTreeMap<String, String>>,
    on_record: Callback<(String, String)>,
}

/// The actions taken so far, and saving them as a case.
#[function_component]
fn Recorder(p: &RecorderProps) -> Html {
    let s = use_session();
    let name = use_state(String::new);
    let sim = &*p.sim;
    if sim.recorded.is_empty() {
        return html! { <p class="kx-hint kx-ed-rec-hint">{ s.t(
            "在预览中填写并办理的每一步都会被记录，可保存为案例，今后每次修改规则都会自动重跑。",
            "Each action taken in the preview is recorded and can be saved as a case, run again after every change to the rules.",
        ) }</p> };
    }
    let def = &p.wf.0.wf.definition;
    let steps = sim.recorded.iter().map(|a| {
        let step = |id: &String| def.step(id).map_or_else(|| id.clone(), |st| pick(s.lang, &st.label()));
        let result = match (&a.step, &a.errors, &a.refused) {
            (Some(id), ..) => format!("→ {}", step(id)),
            (_, Some(fields), _) => format!("{}{}", s.t("✗ 被拒绝：", "✗ refused: "), fields.join(", ")),
            (_, _, Some(code)) => format!("{}{code}", s.t("✗ 被拒绝：", "✗ refused: ")),
            _ => String::new(),
        };
        let who = p.names.get(&a.actor).unwrap_or(&a.actor);
        html! { <li>{ format!("{who} {} {result}", action_label(s.lang, a.action, a.position)) }</li> }
    });
    let id = s.dom_id("ed-case-name");
    let oninput = {
        let name = name.clone();
        Callback::from(move |e: InputEvent| name.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let save = {
        let (name, sim, bundle, on_record) = (name.clone(), p.sim.clone(), p.bundle.clone(), p.on_record.clone());
        let wf = p.wf.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(text) = sim.to_case(&wf.0, name.trim()) {
                on_record.emit((next_case_name(&bundle), text));
                name.set(String::new());
            }
        })
    };
    html! {
        <form class="kx-panel kx-ed-recorder" onsubmit={save}>
            <h3 class="kx-section-title">{ s.t("已记录的操作", "Recorded actions") }</h3>
            <ol class="kx-ed-steps">{ for steps }</ol>
            <label class="kx-label" for={id.clone()}>{ s.t("案例名称", "Case name") }</label>
            <div class="kx-ed-row">
                <input {id} class="kx-input" value={(*name).clone()} {oninput}
                    placeholder={s.t("例如：80名科技人员应单独组建", "e.g. 80 S&T staff must form their own")} />
                <button type="submit" class="kx-btn" disabled={name.trim().is_empty()}>{ s.t("保存为案例", "Save as a case") }</button>
            </div>
        </form>
    }
}

/// `NN-recorded.toml`, numbered after the last case.
fn next_case_name(bundle: &Bundle) -> String {
    let last = bundle.cases.keys().filter_map(|n| n.split('-').next()?.parse::<u32>().ok()).max().unwrap_or(0);
    let name = format!("{:02}-recorded.toml", last + 1);
    debug_assert!(is_case_name(&name));
    name
}

#[cfg(test)]
mod tests {
    use kexie_engine::fields::Form;
    use kexie_engine::instance::Moment;
    use kexie_engine::text::Lang;
    use serde_json::json;

    use super::*;

    /// tests/fixtures/notice: the server shows its notice step the same way
    /// (server/tests/api.rs, `a_notice_step_hides_its_fields_notes_and_says_when_it_may_close`).
    #[test]
    fn the_preview_shows_a_notice_step_as_the_server_does() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/notice");
        let read = |p: &str| std::fs::read_to_string(dir.join(p)).unwrap();
        let bundle = Bundle { workflow_toml: read("workflow.toml"), rules_rhai: read("rules.rhai"), cases: [].into() };
        let wf = Rc::new(Compiled::new(bundle.load().unwrap()));
        let zhao = Actor { id: "zhao".into(), name: "赵敏".into(), roles: vec!["hr".into()], department: None };
        let people = Rc::new(Directory([("zhao".to_string(), zhao.clone())].into()));

        let mut sim = Rc::new(Sim { now: Moment::parse("2026-03-02T09:00:00+08:00"), ..Sim::default() });
        for msg in [
            SimMsg::ActAs("zhao".into()),
            SimMsg::Set("result".into(), json!("张三 晋升高级工程师")),
            SimMsg::Set("ballot".into(), json!("7 票赞成，0 票反对")),
            SimMsg::Act(wf.clone(), people.clone(), Action::Submit { changes: Form::new() }, Lang::En),
        ] {
            sim = sim.reduce(msg);
        }
        let view = view_of(&wf, &sim, &zhao, &people).unwrap();
        assert_eq!(view.step, "publicity");
        assert_eq!(view.hidden, ["ballot"]);
        assert!(!view.form.contains_key("ballot") && view.form.contains_key("result"), "{:?}", view.form);
        let notes: Vec<&str> = view.notes.iter().map(|n| n.en.as_str()).collect();
        assert_eq!(notes, ["Record any objection raised during the notice as a comment"]);
        // Submitted an hour after 09:00 (each preview action takes an hour), open 3 days.
        assert_eq!(view.notice_until.as_deref(), Some("2026-03-05T10:00:00+08:00"));
        assert!(!view.can(instance::ActionKind::Approve), "closing waits for the notice period: {:?}", view.actions);
    }
}

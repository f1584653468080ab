//! The live preview: the form as the edited rules make it, acting as anyone in the cases'
//! directory at whatever step the walk has reached, with the widget's own form and action
//! components; the walk can be saved as a golden case.

use std::collections::BTreeSet;
use std::rc::Rc;

use kexie_engine::RuleContext;
use kexie_engine::bundle::{Bundle, PEOPLE_FILE, is_case_name};
use kexie_engine::instance::{self, Action};
use kexie_engine::people::{Actor, Directory};
use kexie_widget::app::{Compiled, Session, use_session};
use kexie_widget::form::{FormView, Shared};
use kexie_widget::i18n::{moment, pick};
use kexie_widget::model::{InstanceView, StepRef};
use kexie_widget::views::{ActionBar, Notice, action_label, notice, status_label};
use serde_json::json;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::sim::{Sim, SimMsg};

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
    {
        // At first, act as the first person who may start the workflow.
        let first = dir.0.values().find(|a| wf.wf.definition.may_start(a)).or_else(|| dir.0.values().next());
        let (sim, first) = (p.sim.clone(), first.map(|a| a.id.clone()));
        use_effect_with(sim.actor.is_none(), move |unset| {
            if let (true, Some(id)) = (*unset, first) {
                sim.dispatch(SimMsg::ActAs(id));
            }
        });
    }
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
    let view = Rc::new(view_of(&wf, sim, &actor, &dir));
    let ctx = match &sim.instance {
        Some(inst) => RuleContext::for_instance(inst, &actor, sim.clock()),
        None => {
            let first = wf.wf.definition.first_step().id.clone();
            RuleContext {
                step: first.clone(),
                actor: actor.clone(),
                initiator: actor.clone(),
                today: sim.clock().today(),
                history: vec![first],
                ..RuleContext::default()
            }
        }
    };
    // A rule that fails at run time is shown above the form, which stays usable.
    let (eval, failed) = match wf.wf.evaluate(&sim.values, &ctx) {
        Ok(e) => (Rc::new(e), None),
        Err(e) => (Rc::default(), Some(Notice::Error(format!("{}{e}", s.t("规则运行出错：", "A rule failed: "))))),
    };
    let errors: Vec<_> = eval
        .errors
        .iter()
        .filter(|e| sim.touched.contains(kexie_widget::form::root_of(&e.path)))
        .cloned()
        .chain(sim.refused.iter().cloned())
        .collect();
    let on_act = {
        let (dispatch, wf, dir, lang) = (p.sim.dispatcher(), wf.clone(), dir.clone(), s.lang);
        Callback::from(move |a: Action| dispatch.dispatch(SimMsg::Act(wf.clone(), dir.clone(), a, lang)))
    };
    let editable: BTreeSet<String> = view.editable.iter().cloned().collect();
    let session = Session { people: Some((*people).clone()), ..s.clone() };
    html! {
        <ContextProvider<Session> context={session}>
        <div class="kx-ed-preview">
            { controls(&s, p, &dir, &actor, &view) }
            { outcome(&s, sim) }
            { notice(&failed) }
            <FormView wf={p.wf.clone()} values={Rc::new(sim.values.clone())} {eval} editable={Rc::new(editable)}
                errors={Rc::new(errors)} on_change={p.sim.dispatcher().to_callback().reform(|(k, v)| SimMsg::Set(k, v))}
                on_blur={p.sim.dispatcher().to_callback().reform(SimMsg::Touch)} names={Rc::new(view.names.clone())} />
            <ActionBar view={view.clone()} busy={false} {on_act} />
            if view.actions.is_empty() {
                <p class="kx-hint">{ waiting(&s, &view) }</p>
            }
            <Recorder sim={p.sim.clone()} wf={p.wf.clone()} bundle={p.bundle.clone()} names={Rc::new(view.names.clone())}
                on_record={p.on_record.clone()} />
        </div>
        </ContextProvider<Session>>
    }
}

/// A `people(query, kind)` function, as a host gives the widget, over the cases' directory.
fn directory_search(dir: &Directory) -> js_sys::Function {
    let people: Vec<Actor> = dir.0.values().cloned().collect();
    let search = move |query: String, kind: String| -> JsValue {
        let q = query.trim().to_lowercase();
        let found: Vec<serde_json::Value> = if kind == "department" {
            let mut depts: Vec<&String> = people.iter().filter_map(|a| a.department.as_ref()).collect();
            depts.sort();
            depts.dedup();
            depts.into_iter().filter(|d| d.to_lowercase().contains(&q)).map(|d| json!({ "id": d, "name": d })).collect()
        } else {
            let hit = |a: &&Actor| a.id.to_lowercase().contains(&q) || a.name.to_lowercase().contains(&q);
            people
                .iter()
                .filter(hit)
                .map(|a| json!({ "id": a.id, "name": a.name, "department": a.department }))
                .collect()
        };
        js_sys::JSON::parse(&serde_json::Value::from(found).to_string()).unwrap_or(JsValue::NULL)
    };
    Closure::<dyn Fn(String, String) -> JsValue>::new(search).into_js_value().unchecked_into()
}

/// Who to act as, where the walk is, and the clock.
fn controls(s: &Session, p: &PreviewProps, dir: &Directory, actor: &Actor, view: &InstanceView) -> Html {
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
    let step = view.step_label.as_ref().map(|l| pick(s.lang, l)).unwrap_or_else(|| view.step.clone());
    let status = status_label(s.lang, &view.status, false);
    let route = view.route.join(" → ");
    html! {
        <div class="kx-ed-sim">
            <div class="kx-ed-sim-who">
                <label for={id.clone()}>{ s.t("扮演", "Act as") }</label>
                <select {id} class="kx-input" {onchange}>{ for people }</select>
            </div>
            <div class="kx-ed-sim-where">
                <span>{ s.t("当前步骤：", "Step: ") }<strong>{ step }</strong>{ format!(" · {status}") }</span>
                if !route.is_empty() { <span class="kx-hint">{ route }</span> }
                <span class="kx-hint">{ format!("{}{}", s.t("模拟时间：", "Simulated time: "), moment(s.lang, &p.sim.clock().to_string())) }</span>
            </div>
            <div class="kx-ed-sim-tools">
                <button type="button" class="kx-btn" onclick={p.sim.dispatcher().to_callback().reform(|_| SimMsg::Wait(1))}>{ s.t("时间 +1 天", "+1 day") }</button>
                <button type="button" class="kx-btn" onclick={p.sim.dispatcher().to_callback().reform(|_| SimMsg::Reset)}>{ s.t("从头开始", "Start over") }</button>
            </div>
        </div>
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

/// The preview's instance as the widget's components see a server's.
fn view_of(wf: &Compiled, sim: &Sim, actor: &Actor, dir: &Directory) -> InstanceView {
    let def = &wf.wf.definition;
    let now = sim.clock();
    let first = def.first_step();
    let (step, actions, editable) = match &sim.instance {
        Some(inst) => {
            let step = def.step(&inst.step).unwrap_or(first);
            let acts: Vec<String> =
                instance::available(&wf.wf, inst, actor, now).into_iter().map(String::from).collect();
            let editable = if inst.actionable(&actor.id).is_some() { step.editable.clone() } else { Vec::new() };
            (step, acts, editable)
        }
        None if def.may_start(actor) => (first, vec!["save_draft".into(), "submit".into()], first.editable.clone()),
        None => (first, Vec::new(), Vec::new()),
    };
    let inst = sim.instance.as_ref();
    let return_to = inst.map(|i| instance::return_targets(&wf.wf, i)).unwrap_or_default();
    InstanceView {
        id: "preview".into(),
        workflow: def.key.clone(),
        version: def.version,
        title: def.title.clone(),
        status: inst.map_or("draft", |i| i.status.as_str()).to_string(),
        step: step.id.clone(),
        step_label: Some(step.label()),
        step_kind: serde_json::to_value(step.kind).ok().and_then(|v| v.as_str().map(String::from)),
        revision: 0,
        initiator: inst.map_or_else(|| actor.clone(), |i| i.initiator.clone()),
        form: sim.values.clone(),
        hidden: Vec::new(),
        editable,
        actions,
        notes: Vec::new(),
        overdue: inst.is_some_and(|i| i.is_overdue(now)),
        due_at: inst.and_then(|i| i.due_at.map(|d| d.to_string())),
        notice_until: None,
        waiting_for: inst.map(|i| i.waiting_for().into_iter().map(String::from).collect()).unwrap_or_default(),
        route: inst.map(|i| i.route.clone()).unwrap_or_default(),
        return_to: return_to.into_iter().map(|st| StepRef { id: st.id.clone(), label: st.label() }).collect(),
        names: dir.0.values().map(|a| (a.id.clone(), a.name.clone())).collect(),
    }
}

#[derive(Properties, PartialEq)]
struct RecorderProps {
    sim: UseReducerHandle<Sim>,
    wf: Shared<Compiled>,
    bundle: Rc<Bundle>,
    names: Rc<std::collections::BTreeMap<String, String>>,
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
        html! { <li>{ format!("{who} {} {result}", action_label(s.lang, &a.action)) }</li> }
    });
    let id = s.dom_id("ed-case-name");
    let oninput = {
        let name = name.clone();
        Callback::from(move |e: InputEvent| name.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let save = {
        let (name, sim, bundle, on_record) = (name.clone(), p.sim.clone(), p.bundle.clone(), p.on_record.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(text) = sim.to_case(name.trim()) {
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

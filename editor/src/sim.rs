//! The preview's instance: the engine's own state machine run in the browser under the
//! edited rules, acting as anyone in the cases' directory. Every action is recorded as
//! a golden case action, so a walk through the preview can be saved as a case.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use kexie_engine::RuleContext;
use kexie_engine::fields::{FieldError, Form};
use kexie_engine::golden::{Case, CaseAction, Expect, OtherInstance, case_to_toml, from_action, table_of};
use kexie_engine::instance::{self, Action, ActionError, Env, Instance, Moment};
use kexie_engine::people::{Actor, Directory};
use kexie_engine::text::Lang;
use kexie_widget::app::Compiled;
use kexie_widget::form::{reference, root_of};
use serde_json::Value;
use yew::prelude::*;

/// The id of the preview's one instance.
pub const PREVIEW_ID: &str = "preview";

/// The preview's state.
#[derive(Clone, Default)]
pub struct Sim {
    /// Who the administrator is acting as.
    pub actor: Option<String>,
    /// None until the first action starts it.
    pub instance: Option<Instance>,
    /// The form with the changes not yet sent by an action.
    pub values: Form,
    /// Fields changed since the last action, whose errors show.
    pub touched: BTreeSet<String>,
    /// The last refusal's field errors.
    pub refused: Vec<FieldError>,
    /// What the last action did, or why it was refused.
    pub outcome: Option<Result<String, String>>,
    /// The simulated clock: an hour passes with each action.
    pub now: Option<Moment>,
    pub started_at: Option<Moment>,
    /// The actions taken, as a case writes them, each with what it led to.
    pub recorded: Vec<CaseAction>,
}

pub enum SimMsg {
    ActAs(String),
    Set(String, Value),
    Touch(String),
    /// An action, its refusal written in the language given.
    Act(Rc<Compiled>, Rc<Directory>, Action, Lang),
    /// Let days pass (deadlines, 公示 periods).
    Wait(u32),
    Reset,
}

impl PartialEq for Sim {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

/// The browser's clock as a moment in its own time zone.
pub fn wall_clock() -> Moment {
    let d = js_sys::Date::new_0();
    let secs = (d.get_time() / 1000.0) as i64;
    let offset = -(d.get_timezone_offset() as i32) * 60;
    Moment::from_unix(secs - secs % 60, offset)
        .unwrap_or_else(|| Moment::parse("2026-01-01T09:00:00+08:00").expect("a time"))
}

impl Sim {
    pub fn clock(&self) -> Moment {
        self.now.unwrap_or_else(wall_clock)
    }

    /// The actor as the directory knows them.
    pub fn actor_in(&self, dir: &Directory) -> Option<Actor> {
        let id = self.actor.as_ref()?;
        Some(dir.get(id).cloned().unwrap_or_else(|| Actor { id: id.clone(), ..Actor::default() }))
    }

    /// What the rules see as `actor` acts now: on the instance, or before the first action
    /// on the draft they would start.
    pub fn rule_context(&self, wf: &Compiled, actor: &Actor) -> RuleContext {
        let refs = instance::referenced(&wf.wf.definition, &self.values, &reference::known());
        if let Some(inst) = &self.instance {
            return RuleContext { refs, ..RuleContext::for_instance(inst, actor, self.clock()) };
        }
        let first = wf.wf.definition.first_step().id.clone();
        RuleContext {
            step: first.clone(),
            actor: actor.clone(),
            initiator: actor.clone(),
            today: self.clock().today(),
            history: vec![first],
            refs,
            ..RuleContext::default()
        }
    }

    /// Changes since the instance last stored the form.
    fn changes(&self) -> Form {
        let stored = self.instance.as_ref().map(|i| &i.form);
        self.values
            .iter()
            .filter(|(k, v)| stored.and_then(|f| f.get(*k)) != Some(v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    fn act(mut self, wf: &Compiled, dir: &Directory, action: Action, lang: Lang) -> Sim {
        let Some(actor) = self.actor_in(dir) else { return self };
        let now = self.clock().plus_hours(1);
        // The instances the walk's reference fields chose, from the server, as an
        // administrator may read them.
        let refs = reference::known();
        let env = Env { now, directory: dir, refs: &refs };
        let action = action.with_changes(self.changes());
        let inst = match self.instance.clone() {
            Some(i) => i,
            None => match instance::start(&wf.wf, PREVIEW_ID, &actor, Form::new(), &env) {
                Ok(t) => {
                    self.started_at = Some(self.clock());
                    t.instance
                }
                Err(e) => {
                    self.outcome = Some(Err(e.message().render(lang)));
                    return self;
                }
            },
        };
        let mut recorded = from_action(&actor.id, &action);
        match instance::apply(&wf.wf, &inst, &action, &actor, &env) {
            Ok(t) => {
                recorded.step = Some(t.instance.step.clone());
                recorded.status = Some(t.instance.status.as_str().to_string());
                self.values = t.instance.form.clone();
                self.touched.clear();
                self.refused.clear();
                self.outcome = Some(Ok(t.instance.step.clone()));
                self.instance = Some(t.instance);
            }
            Err(e) => {
                match &e {
                    ActionError::Validation { errors } => {
                        recorded.errors = Some(errors.iter().map(|f| f.path.clone()).collect());
                        self.refused = errors.clone();
                    }
                    e => recorded.refused = Some(e.code().to_string()),
                }
                self.outcome = Some(Err(e.message().render(lang)));
                self.instance = Some(inst);
            }
        }
        if self.now.is_some_and(|prev| prev.plus_hours(1) != now) || self.recorded.is_empty() {
            recorded.at = Some(now.to_string());
        }
        self.recorded.push(recorded);
        self.now = Some(now);
        self
    }

    /// The walk so far as a golden case named `name`, expecting where it ended.
    pub fn to_case(&self, wf: &Compiled, name: &str) -> Option<String> {
        let inst = self.instance.as_ref()?;
        let case = Case {
            name: name.to_string(),
            description: None,
            initiator: inst.initiator.id.clone(),
            start: self.started_at?.to_string(),
            people: BTreeMap::new(),
            form: toml::Table::new(),
            instances: referred(wf, inst),
            actions: self.recorded.clone(),
            expect: Expect {
                status: Some(inst.status.as_str().to_string()),
                step: Some(inst.step.clone()),
                route: Some(inst.route.clone()),
                form: Some(table_of(&inst.form)),
                ..Expect::default()
            },
        };
        case_to_toml(&case).ok()
    }
}

/// The instances `inst`'s reference fields name, as a case declares them, readable by its
/// initiator: a recorded case runs without the server.
fn referred(wf: &Compiled, inst: &Instance) -> Vec<OtherInstance> {
    let known = reference::known();
    instance::referenced(&wf.wf.definition, &inst.form, &known)
        .into_values()
        .map(|r| OtherInstance {
            id: r.id,
            workflow: r.workflow,
            status: r.status,
            readers: vec![inst.initiator.id.clone()],
            summary: r.summary.map(|t| t.zh),
            form: table_of(&r.form),
        })
        .collect()
}

impl Reducible for Sim {
    type Action = SimMsg;

    fn reduce(self: Rc<Self>, msg: SimMsg) -> Rc<Self> {
        let mut s = (*self).clone();
        match msg {
            SimMsg::ActAs(id) => s.actor = Some(id),
            SimMsg::Set(field, value) => {
                s.touched.insert(field.clone());
                s.values.insert(field, value);
            }
            SimMsg::Touch(path) => _ = s.touched.insert(root_of(&path).to_string()),
            SimMsg::Act(wf, dir, action, lang) => s = s.act(&wf, &dir, action, lang),
            SimMsg::Wait(days) => s.now = Some(s.clock().plus_days(days)),
            SimMsg::Reset => s = Sim { actor: s.actor.clone(), ..Sim::default() },
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use kexie_engine::bundle::Bundle;
    use kexie_engine::definition::Source;
    use kexie_engine::golden::{form_of, parse_case, run, to_action};

    use super::*;

    fn formation() -> Bundle {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../workflows/kexie-formation");
        let read = |p: &str| std::fs::read_to_string(dir.join(p)).unwrap();
        let cases = ["01-main-standalone.toml", "_people.toml"].map(|n| (n.to_string(), read(&format!("cases/{n}"))));
        Bundle { workflow_toml: read("workflow.toml"), rules_rhai: read("rules.rhai"), cases: cases.into() }
    }

    #[test]
    fn a_walk_through_the_preview_is_recorded_as_a_case_that_passes() {
        let bundle = formation();
        let wf = Rc::new(Compiled::new(bundle.load().unwrap()));
        let people = bundle.people().unwrap();
        let dir = Rc::new(people.directory(&BTreeMap::new()));
        let text = &bundle.cases["01-main-standalone.toml"];
        let case = parse_case(&Source { name: "01", text }).unwrap();

        // Replay case 01 by hand, as an administrator would click through the preview.
        let mut sim = Rc::new(Sim { now: Moment::parse(&case.start), ..Sim::default() });
        let send = |sim: Rc<Sim>, msg| sim.reduce(msg);
        for (field, value) in form_of(&case.form) {
            sim = send(sim, SimMsg::Set(field, value));
        }
        for a in &case.actions {
            sim = send(sim, SimMsg::ActAs(a.actor.clone()));
            for (field, value) in a.set.as_ref().map(form_of).unwrap_or_default() {
                sim = send(sim, SimMsg::Set(field, value));
            }
            let action = to_action(&CaseAction { set: None, ..a.clone() }).unwrap();
            sim = send(sim, SimMsg::Act(wf.clone(), dir.clone(), action, Lang::En));
        }
        assert_eq!(sim.instance.as_ref().unwrap().status.as_str(), "completed");
        assert_eq!(sim.recorded.iter().filter(|a| a.errors.is_some()).count(), 1, "sun's first approve was refused");

        let recorded = sim.to_case(&wf, "recorded").unwrap();
        let again = parse_case(&Source { name: "recorded", text: &recorded }).unwrap();
        let report = run(&wf.wf, &people, &again, Lang::En);
        assert!(report.passed(), "{recorded}\n{:?}", report.failures);
    }
}

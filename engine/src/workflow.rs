//! A loaded workflow: its checked definition, compiled rules and compiled patterns, and
//! the evaluation of the rules against a form.

use std::collections::{BTreeMap, BTreeSet};

use rhai::{Dynamic, Map};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::definition::{self, Definition, Diagnostics, FieldKind, Source, Step};
use crate::fields::{self, FieldError, Form, Patterns};
use crate::instance::{Decision, Instance, Moment, Referenced};
use crate::people::Actor;
use crate::rules::{self, RuleError, Rules};
use crate::text::Message;

/// A definition ready to run. Build it once per definition version and share it: the
/// rules are compiled once here and every evaluation reuses them.
#[derive(Debug, Clone)]
pub struct Workflow {
    /// The checked definition.
    pub definition: Definition,
    /// The compiled rules.
    pub rules: Rules,
    patterns: Patterns,
}

/// What the rules are told about the moment they run in.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RuleContext {
    /// The current step id.
    pub step: String,
    /// Who is acting (or looking at the form).
    pub actor: Actor,
    /// Who started the instance.
    pub initiator: Actor,
    /// Today, "YYYY-MM-DD", from the host's clock.
    pub today: String,
    /// The steps entered so far, in order.
    pub history: Vec<String>,
    /// Every decision so far: who decided what at which step, with their roles.
    #[serde(default)]
    pub decisions: Vec<Decision>,
    /// The instances the form's reference fields name, by field id (`ctx.refs.plan`).
    #[serde(default)]
    pub refs: BTreeMap<String, Referenced>,
    /// In `route`: "submit" or "approve".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// In `assignees`: the step being started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

impl RuleContext {
    /// The context of `actor` looking at or acting on `inst` at its current step, at `now`.
    pub fn for_instance(inst: &Instance, actor: &Actor, now: Moment) -> Self {
        RuleContext {
            step: inst.step.clone(),
            actor: actor.clone(),
            initiator: inst.initiator.clone(),
            today: now.today(),
            history: inst.route.clone(),
            decisions: inst.decisions.clone(),
            refs: BTreeMap::new(),
            decision: None,
            target: None,
        }
    }
}

/// Everything the engine and the rules say about a form at one step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Field and cell errors: the engine's constraints first, then the rules'.
    pub errors: Vec<FieldError>,
    /// Fields not shown at this step (the step's `hidden` and the rules' `v.hide`).
    pub hidden: BTreeSet<String>,
    /// Fields that must be filled at this step.
    pub required: BTreeSet<String>,
    /// Values of computed fields.
    pub computed: Form,
    /// Advice shown, not blocking.
    pub notes: Vec<Message>,
    /// Column totals: table → column → exact sum as a string.
    pub totals: BTreeMap<String, BTreeMap<String, String>>,
}

impl Evaluation {
    /// Whether nothing blocks the form.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

impl Workflow {
    /// Checks and compiles a definition and its rules; every problem in both files is
    /// reported at once, each with `file:line:col`.
    pub fn load(definition: &Source<'_>, rules: &Source<'_>) -> Result<Workflow, Diagnostics> {
        let (compiled, mut rule_problems) = Rules::compile(rules);
        let loaded = definition::load(definition, compiled.as_ref());
        if let (Ok(def), Some(compiled)) = (&loaded, &compiled) {
            rule_problems.extend(crate::rules::misreads(def, compiled, rules));
        }
        match (loaded, compiled) {
            (Ok(definition), Some(rules)) if rule_problems.is_empty() => {
                let patterns = Patterns::new(&definition);
                Ok(Workflow { definition, rules, patterns })
            }
            (loaded, _) => {
                let mut all = loaded.err().unwrap_or_default();
                all.extend(rule_problems);
                Err(Diagnostics(all))
            }
        }
    }

    /// A definition that was already checked (by the server that published it, and sent
    /// as JSON) with its rules compiled here. The browser loads workflows this way: it
    /// never parses TOML, which keeps the TOML parser out of the widget's payload.
    pub fn from_definition(definition: Definition, rules: &Source<'_>) -> Result<Workflow, Diagnostics> {
        match Rules::compile(rules) {
            (Some(rules), problems) if problems.is_empty() => {
                let patterns = Patterns::new(&definition);
                Ok(Workflow { definition, rules, patterns })
            }
            (_, problems) => Err(Diagnostics(problems)),
        }
    }

    /// Runs the engine's constraints and the rules' `check` on `form` at `ctx.step`.
    pub fn evaluate(&self, form: &Form, ctx: &RuleContext) -> Result<Evaluation, RuleError> {
        let def = &self.definition;
        let step = def.step(&ctx.step);
        let totals = self.totals(form);
        let verdict = self.rules.check(fields::to_rhai(def, form), self.rule_ctx(ctx, &totals))?;
        let mut eval = Evaluation { notes: verdict.notes, ..Evaluation::default() };
        eval.hidden.extend(step.map(|s| s.hidden.clone()).unwrap_or_default());
        eval.hidden.extend(verdict.hidden);
        for (id, value) in &verdict.computed {
            let field = def
                .field(id)
                .filter(|f| f.computed)
                .ok_or_else(|| self.misuse("v.set", id, "a field with computed = true"))?;
            let json = fields::from_rhai(field, value)
                .ok_or_else(|| self.misuse("v.set", id, "a value of the field's kind"))?;
            eval.computed.insert(id.clone(), json);
        }
        let rule_required: BTreeMap<&str, &Message> = verdict.required.iter().map(|(f, m)| (f.as_str(), m)).collect();
        if let Some(id) = rule_required.keys().find(|id| def.field(id).is_none()) {
            return Err(self.misuse("v.require", id, "a field id"));
        }
        for f in def.fields.iter() {
            let shown = !eval.hidden.contains(&f.id);
            let by_definition =
                f.required && step.is_some_and(|s| s.editable_by(&f.id, &ctx.actor, &ctx.initiator.id, form));
            let required = shown && (by_definition || rule_required.contains_key(f.id.as_str()));
            if required {
                eval.required.insert(f.id.clone());
            }
            let value = eval.computed.get(&f.id).or_else(|| form.get(&f.id));
            let before = eval.errors.len();
            fields::check_value(f, &f.id, &f.id, value, required, &self.patterns, &mut eval.errors);
            // A rule's reason for requiring a field says more than "required".
            if let Some(m) = rule_required.get(f.id.as_str())
                && eval.errors.len() > before
                && value.is_none_or(fields::is_empty)
            {
                eval.errors[before].message = (*m).clone();
            }
        }
        eval.errors.extend(form.keys().filter(|k| def.field(k).is_none()).map(|k| FieldError::no_such_field(k)));
        for (path, message) in verdict.errors {
            let root = path.split(['[', '.']).next().unwrap_or("");
            def.field(root)
                .ok_or_else(|| self.misuse("v.error", &path, "a field id or table cell such as items[0].budget"))?;
            eval.errors.push(FieldError { path, message });
        }
        eval.totals = totals
            .iter()
            .map(|(t, cols)| (t.clone(), cols.iter().map(|(c, v)| (c.clone(), v.to_string())).collect()))
            .collect();
        Ok(eval)
    }

    /// The step after `step`: its only `next`, or the one the rules' `route` picks.
    pub fn route(&self, step: &Step, form: &Form, ctx: &RuleContext) -> Result<String, RuleError> {
        if let [only] = step.next.as_slice() {
            return Ok(only.clone());
        }
        let (form, ctx) = (fields::to_rhai(&self.definition, form), self.rule_ctx(ctx, &self.totals(form)));
        self.rules.call("route", form, ctx, |out| match out.read_lock::<rhai::ImmutableString>() {
            Some(s) if step.next.iter().any(|n| n == s.as_str()) => Ok(s.to_string()),
            _ => Err(self.rules.wrong_return("route", &format!("one of {:?}", step.next), rules::preview(&out))),
        })
    }

    /// The user ids the rules' `assignees` picks for `ctx.target`.
    pub fn assignees(&self, form: &Form, ctx: &RuleContext) -> Result<Vec<String>, RuleError> {
        let (form, ctx) = (fields::to_rhai(&self.definition, form), self.rule_ctx(ctx, &self.totals(form)));
        self.rules.call("assignees", form, ctx, |out| {
            let got = rules::preview(&out);
            let ids = out
                .into_array()
                .ok()
                .and_then(|a| a.into_iter().map(|d| d.into_string().ok()).collect::<Option<Vec<_>>>());
            ids.ok_or_else(|| self.rules.wrong_return("assignees", "an array of user ids", got))
        })
    }

    /// Column totals of every table, for the rules (`ctx.totals`) and the display.
    /// Each table's column totals (the columns marked `total`), exact: table → column → sum.
    pub fn totals(&self, form: &Form) -> BTreeMap<String, BTreeMap<String, Decimal>> {
        let mut out = BTreeMap::new();
        for table in self.definition.fields.iter().filter(|f| f.kind == FieldKind::Table) {
            let rows = form.get(&table.id).and_then(|v| v.as_array());
            let sums: BTreeMap<String, Decimal> = table
                .columns
                .iter()
                .filter(|c| c.total)
                .map(|c| {
                    let cells = rows.into_iter().flatten().filter_map(|r| r.get(&c.id)).filter_map(fields::decimal_of);
                    (c.id.clone(), cells.sum())
                })
                .collect();
            if !sums.is_empty() {
                out.insert(table.id.clone(), sums);
            }
        }
        out
    }

    fn rule_ctx(&self, ctx: &RuleContext, totals: &BTreeMap<String, BTreeMap<String, Decimal>>) -> Dynamic {
        let mut map: Map = rhai::serde::to_dynamic(ctx).ok().and_then(|d| d.try_cast::<Map>()).unwrap_or_default();
        let totals: Map = totals
            .iter()
            .map(|(t, cols)| {
                (
                    t.as_str().into(),
                    Dynamic::from_map(
                        cols.iter().map(|(c, v)| (c.as_str().into(), Dynamic::from_decimal(*v))).collect(),
                    ),
                )
            })
            .collect();
        map.insert("totals".into(), totals.into());
        map.into()
    }

    fn misuse(&self, call: &str, arg: &str, expected: &str) -> RuleError {
        self.rules.wrong_return("check", &format!("{call} on {expected}"), format!("{call}(\"{arg}\")"))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const DEF: &str = r#"
key = "t"
version = 1
title = { zh = "测试", en = "Test" }

[[fields]]
id = "zone"
kind = "checkbox"
label = { zh = "园区", en = "In a zone" }

[[fields]]
id = "park"
kind = "text"
label = { zh = "园区名称", en = "Park" }
required = true

[[fields]]
id = "items"
kind = "table"
label = { zh = "明细", en = "Items" }
columns = [{ id = "budget", kind = "decimal", total = true, label = { zh = "预算", en = "Budget" } }]

[[fields]]
id = "start"
kind = "date"
label = { zh = "开始日期", en = "Start" }

[[fields]]
id = "total"
kind = "decimal"
computed = true
label = { zh = "合计", en = "Total" }

[[steps]]
id = "apply"
kind = "fill"
label = { zh = "申请", en = "Apply" }
actors = ["initiator"]
editable = ["zone", "park", "items"]
next = ["end"]
"#;

    const RULES: &str = r#"
const CAP = 100.00;
fn check(form, ctx) {
    let v = verdict();
    if form.zone != true { v.hide("park"); }
    let total = ctx.totals.items.budget;
    v.set("total", total);
    if total > CAP { v.note(msg("超出上限", "Over the cap", "十六")); }
    if days_between(form.start, ctx.today) > 3 { v.note(msg("不会出现", "never: () > 3 is false")); }
    v
}
"#;

    fn wf() -> Workflow {
        Workflow::load(&Source { name: "t.toml", text: DEF }, &Source { name: "t.rhai", text: RULES }).unwrap()
    }

    fn eval(form: serde_json::Value) -> Evaluation {
        let form: Form = serde_json::from_value(form).unwrap();
        wf().evaluate(&form, &RuleContext { step: "apply".into(), today: "2026-03-02".into(), ..Default::default() })
            .unwrap()
    }

    #[test]
    fn a_field_the_rules_hide_is_not_required() {
        let hidden = eval(json!({ "zone": false }));
        assert!(hidden.hidden.contains("park"));
        assert!(hidden.is_ok(), "{:?}", hidden.errors);
        let shown = eval(json!({ "zone": true }));
        assert_eq!(shown.errors.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(), ["park"]);
        assert!(shown.required.contains("park"));
    }

    #[test]
    fn totals_are_exact_and_computed_fields_filled() {
        let e = eval(json!({ "items": [{ "budget": "0.10" }, { "budget": "0.20" }, { "budget": 100 }] }));
        assert_eq!(e.totals["items"]["budget"], "100.30");
        assert_eq!(e.computed["total"], json!("100.30"));
        assert_eq!(e.notes.len(), 1, "over the cap, and an empty date compares false");
        assert_eq!(e.notes[0].article.as_deref(), Some("十六"));
    }

    #[test]
    fn a_checked_definition_loads_without_its_toml() {
        let checked = wf();
        let json = serde_json::to_string(&checked.definition).unwrap();
        let again =
            Workflow::from_definition(serde_json::from_str(&json).unwrap(), &Source { name: "t.rhai", text: RULES })
                .unwrap();
        assert_eq!(again.definition, checked.definition);
        let form: Form = serde_json::from_value(json!({ "items": [{ "budget": "150" }] })).unwrap();
        let ctx = RuleContext { step: "apply".into(), today: "2026-03-02".into(), ..Default::default() };
        assert_eq!(again.evaluate(&form, &ctx).unwrap(), checked.evaluate(&form, &ctx).unwrap());
    }

    #[test]
    fn unknown_form_keys_are_errors() {
        let e = eval(json!({ "zone": false, "bogus": 1 }));
        assert_eq!(e.errors.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(), ["bogus"]);
    }

    #[test]
    fn a_malformed_date_gets_the_fields_message_not_a_rule_error() {
        let e = eval(json!({ "zone": true, "park": "高新园", "start": "2026-3-1" }));
        let errors: Vec<String> = e.errors.iter().map(|e| format!("{}: {}", e.path, e.message.zh)).collect();
        assert_eq!(errors, ["start: 请填写有效日期（年-月-日）。"]);
    }
}

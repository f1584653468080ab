//! How long the engine takes to evaluate a form and to load a workflow version.
//!
//! Run with `scripts/bench.sh` (or `cargo bench -p kexie-engine --bench rules`); results
//! and the method are in BENCHMARKS.md. Budgets (natively, median): one evaluation of a
//! shipped workflow ≤ 100 µs, of the generated 300-field form ≤ 1 ms.
//!
//! Benchmarks:
//! - `evaluate/<workflow>`: `Workflow::evaluate` of a fully filled form at the first step,
//!   for every folder in `workflows/`. The form is the main-route case's (`cases/01-*.toml`)
//!   `[form]` with every action's `set` merged in.
//! - `evaluate-at-step/<workflow>/<step>`: the same form at each later step the main route
//!   passes, with that step's actor, date and history (rules that only apply at one step).
//! - `evaluate/generated-300-fields-100-rules`: a generated definition of 300 fields and
//!   100 rules, fully filled.
//! - `load/<workflow>`: `Workflow::load` (parse, check, compile the rules) of each.
//! - `to-rhai/<workflow>`: only the conversion of the form to the rules' Rhai map, a part
//!   of every evaluation, to see how much of it the rules themselves take.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use kexie_engine::definition::Source;
use kexie_engine::fields::Form;
use kexie_engine::golden::{self, Case, People};
use kexie_engine::people::Actor;
use kexie_engine::text::Lang;
use kexie_engine::{RuleContext, Workflow};
use serde_json::{Value, json};

/// The name of the generated benchmark workflow.
const GENERATED: &str = "generated-300-fields-100-rules";

// ─── Shipped workflows ──────────────────────────────────────────────────────────────

/// A shipped workflow folder, read from disk.
struct Shipped {
    name: String,
    dir: PathBuf,
    workflow_toml: String,
    rules_rhai: String,
}

impl Shipped {
    fn load(&self) -> Result<Workflow, kexie_engine::definition::Diagnostics> {
        load(&self.dir, &self.workflow_toml, &self.rules_rhai)
    }
}

fn load(dir: &Path, workflow_toml: &str, rules_rhai: &str) -> Result<Workflow, kexie_engine::definition::Diagnostics> {
    let def_name = dir.join("workflow.toml").display().to_string();
    let rules_name = dir.join("rules.rhai").display().to_string();
    Workflow::load(&Source { name: &def_name, text: workflow_toml }, &Source { name: &rules_name, text: rules_rhai })
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every folder of `workflows/` that holds a `workflow.toml`, by name.
fn shipped() -> Vec<Shipped> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../workflows");
    let entries = std::fs::read_dir(&root).unwrap_or_else(|e| panic!("cannot list {}: {e}", root.display()));
    let mut dirs: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    dirs.sort();
    dirs.into_iter()
        .filter(|d| d.join("workflow.toml").is_file() && d.join("rules.rhai").is_file())
        .map(|dir| Shipped {
            name: dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            workflow_toml: read(&dir.join("workflow.toml")),
            rules_rhai: read(&dir.join("rules.rhai")),
            dir,
        })
        .collect()
}

/// The main-route case (`cases/01-*.toml`) and the folder's shared people.
fn main_case(dir: &Path) -> (Case, People) {
    let cases = dir.join("cases");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&cases)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", cases.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            name.starts_with("01-") && name.ends_with(".toml")
        })
        .collect();
    files.sort();
    let path = files.first().unwrap_or_else(|| panic!("{}: no cases/01-*.toml", dir.display()));
    let (name, text) = (path.display().to_string(), read(path));
    let case = golden::parse_case(&Source { name: &name, text: &text }).unwrap_or_else(|d| panic!("{d}"));
    let people_path = cases.join("_people.toml");
    let people = if people_path.is_file() {
        let (name, text) = (people_path.display().to_string(), read(&people_path));
        golden::parse_people(&Source { name: &name, text: &text }).unwrap_or_else(|d| panic!("{d}"))
    } else {
        People::default()
    };
    (case, people)
}

/// The case's starting form with every action's `set` merged in: the form as it is at
/// the end of the main route.
fn filled_form(case: &Case) -> Form {
    let mut form = golden::form_of(&case.form);
    for set in case.actions.iter().filter_map(|a| a.set.as_ref()) {
        form.extend(golden::form_of(set));
    }
    form
}

/// A rule context for every step the main route enters, in order: the step's first
/// actor, the date of that action and the steps entered so far. The first entry is the
/// first step, with the initiator.
fn contexts(wf: &Workflow, case: &Case, people: &People) -> Vec<RuleContext> {
    let dir = golden::directory(people, case);
    let person = |id: &str| dir.get(id).cloned().unwrap_or_else(|| Actor { id: id.into(), ..Actor::default() });
    let initiator = person(&case.initiator);
    let start_day = case.start.get(..10).unwrap_or("2026-03-02").to_string();
    let first = wf.definition.first_step().id.clone();
    let mut out = vec![RuleContext {
        step: first.clone(),
        actor: initiator.clone(),
        initiator: initiator.clone(),
        today: start_day,
        history: vec![first.clone()],
        ..Default::default()
    }];
    // The real state machine tells at which step each action was taken.
    let report = golden::run(wf, people, case, Lang::En);
    let mut seen = BTreeSet::from([first]);
    let mut history = out[0].history.clone();
    // Actions after the end (refused ones, in some cases) are at no step of the definition.
    for line in report.trace.iter().filter(|l| wf.definition.step(&l.step).is_some()) {
        if seen.insert(line.step.clone()) {
            history.push(line.step.clone());
            out.push(RuleContext {
                step: line.step.clone(),
                actor: person(&line.actor),
                initiator: initiator.clone(),
                today: line.at.today(),
                history: history.clone(),
                ..Default::default()
            });
        }
    }
    out
}

fn bench_shipped(c: &mut Criterion) {
    for s in shipped() {
        let wf = s.load().unwrap_or_else(|e| panic!("{} does not load: {:#?}", s.name, e.0));
        let (case, people) = main_case(&s.dir);
        let form = filled_form(&case);
        let ctxs = contexts(&wf, &case, &people);
        for ctx in &ctxs {
            // Once, outside the timed loop: the evaluation must succeed.
            if let Err(e) = wf.evaluate(&form, ctx) {
                panic!("{}: evaluate at step {} failed: {e}", s.name, ctx.step);
            }
        }

        let mut g = c.benchmark_group("evaluate");
        g.bench_function(&s.name, |b| b.iter(|| wf.evaluate(black_box(&form), black_box(&ctxs[0]))));
        g.finish();

        let mut g = c.benchmark_group("evaluate-at-step");
        g.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
        for ctx in &ctxs[1..] {
            g.bench_function(format!("{}/{}", s.name, ctx.step), |b| {
                b.iter(|| wf.evaluate(black_box(&form), black_box(ctx)))
            });
        }
        g.finish();

        let mut g = c.benchmark_group("load");
        g.bench_function(&s.name, |b| b.iter(|| s.load().is_ok()));
        g.finish();

        bench_to_rhai(c, &s.name, &wf, &form);
    }
}

/// The part of an evaluation that turns the JSON form into the rules' Rhai map.
fn bench_to_rhai(c: &mut Criterion, name: &str, wf: &Workflow, form: &Form) {
    let mut g = c.benchmark_group("to-rhai");
    g.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    g.bench_function(name, |b| b.iter(|| kexie_engine::fields::to_rhai(&wf.definition, black_box(form))));
    g.finish();
}

// ─── The generated 300-field workflow ───────────────────────────────────────────────

/// How many fields of each kind (plus one table: 300 in all).
const TEXTS: usize = 50;
const INTEGERS: usize = 50;
/// The last `COMPUTED` decimals are set by the rules.
const DECIMALS: usize = 50;
const COMPUTED: usize = 10;
const DATES: usize = 50;
const SELECTS: usize = 50;
const CHECKBOXES: usize = 49;
const ROWS: usize = 20;
const RULES: usize = 100;
const OPTIONS: [&str; 5] = ["opt_a", "opt_b", "opt_c", "opt_d", "opt_e"];

/// `workflow.toml` of the generated workflow.
fn generated_toml() -> String {
    let mut t = String::new();
    let mut ids = Vec::new();
    t.push_str("key = \"generated-bench\"\nversion = 1\n");
    t.push_str("title = { zh = \"生成的基准流程\", en = \"Generated benchmark workflow\" }\n\n");
    // A third of the fields are required.
    let mut field = |t: &mut String, id: String, kind: &str, required: bool, extra: &str| {
        let required = if required { "required = true\n" } else { "" };
        let _ = writeln!(
            t,
            "[[fields]]\nid = \"{id}\"\nkind = \"{kind}\"\n\
             label = {{ zh = \"字段 {id}\", en = \"Field {id}\" }}\n{required}{extra}"
        );
        ids.push(id);
    };
    for k in 0..TEXTS {
        let pattern = if k.is_multiple_of(10) { "pattern = \"[A-Z]{2}-[0-9]{4}\"\n" } else { "" };
        field(&mut t, format!("text_{k}"), "text", k.is_multiple_of(3), &format!("max_length = 200\n{pattern}"));
    }
    for k in 0..INTEGERS {
        field(&mut t, format!("int_{k}"), "integer", k.is_multiple_of(3), "min = 0\nmax = 100000\n");
    }
    for k in 0..DECIMALS {
        let computed = if k >= DECIMALS - COMPUTED { "computed = true\n" } else { "" };
        let required = computed.is_empty() && k.is_multiple_of(3);
        field(&mut t, format!("dec_{k}"), "decimal", required, &format!("min = 0\nscale = 2\n{computed}"));
    }
    for k in 0..DATES {
        field(&mut t, format!("date_{k}"), "date", k.is_multiple_of(3), "");
    }
    let options: Vec<String> = OPTIONS
        .iter()
        .map(|o| format!("{{ value = \"{o}\", label = {{ zh = \"选项 {o}\", en = \"Option {o}\" }} }}"))
        .collect();
    for k in 0..SELECTS {
        field(
            &mut t,
            format!("sel_{k}"),
            "select",
            k.is_multiple_of(3),
            &format!("options = [{}]\n", options.join(", ")),
        );
    }
    for k in 0..CHECKBOXES {
        // Not required: a required checkbox must be ticked, and half of them are not.
        field(&mut t, format!("check_{k}"), "checkbox", false, "");
    }
    field(&mut t, "items".into(), "table", true, "max_rows = 50\n");
    let column = |t: &mut String, id: &str, kind: &str, extra: &str| {
        let _ = writeln!(
            t,
            "[[fields.columns]]\nid = \"{id}\"\nkind = \"{kind}\"\n\
             label = {{ zh = \"列 {id}\", en = \"Column {id}\" }}\n{extra}"
        );
    };
    column(&mut t, "name", "text", "required = true\nmax_length = 60\n");
    column(&mut t, "qty", "integer", "min = 0\ntotal = true\n");
    column(&mut t, "amount", "decimal", "min = 0\ntotal = true\n");
    column(&mut t, "due", "date", "");
    column(&mut t, "category", "select", &format!("options = [{}]\n", options.join(", ")));

    let editable: Vec<String> = ids
        .iter()
        .filter(|id| {
            id.strip_prefix("dec_").and_then(|k| k.parse::<usize>().ok()).is_none_or(|k| k < DECIMALS - COMPUTED)
        })
        .map(|id| format!("\"{id}\""))
        .collect();
    let _ = writeln!(
        t,
        "[[steps]]\nid = \"apply\"\nkind = \"fill\"\nlabel = {{ zh = \"申请\", en = \"Apply\" }}\n\
         actors = [\"initiator\"]\neditable = [{}]\nnext = [\"review\"]\n",
        editable.join(", ")
    );
    let _ = writeln!(
        t,
        "[[steps]]\nid = \"review\"\nkind = \"approval\"\nlabel = {{ zh = \"审核\", en = \"Review\" }}\n\
         actors = [\"role:reviewer\"]\neditable = [\"text_1\"]\nnext = [\"end\"]"
    );
    t
}

/// `rules.rhai` of the generated workflow: one `check` with `RULES` rules, ten kinds in
/// turn, each comparing fields and calling `v.error`, `v.require`, `v.note` or `v.set`.
fn generated_rules() -> String {
    let mut r = String::from("// Generated for the benchmark: 100 rules over 300 fields.\n\n");
    r.push_str("const SMALL_INTS = [1, 2, 3, 5, 8];\n\nfn check(form, ctx) {\n    let v = verdict();\n");
    let inputs = DECIMALS - COMPUTED;
    for i in 0..RULES {
        let (a, b) = (i * 7 % 50, (i * 11 + 3) % 50);
        let article = ["十", "十一", "十二", "十六"][i % 4];
        let rule = match i % 10 {
            0 => format!(
                "if form.int_{a} > form.int_{b} + 1000 {{\n        \
                 v.error(\"int_{a}\", msg(`整数 ${{form.int_{a}}} 超出范围`, `int_{a} is ${{form.int_{a}}}: out of range`, \"{article}\"));\n    }}"
            ),
            1 => format!(
                "if form.dec_{} > form.dec_{} {{\n        \
                 v.note(msg(\"金额较高\", \"dec_{0} is above dec_{1}\", \"{article}\"));\n    }}",
                a % inputs,
                b % inputs
            ),
            2 => format!(
                "if days_between(form.date_{}, form.date_{}) < 0 {{\n        \
                 v.error(\"date_{1}\", msg(\"结束日期早于开始日期\", \"date_{1} is before date_{0}\", \"{article}\"));\n    }}",
                a % 25,
                25 + b % 25
            ),
            3 => format!(
                "if form.sel_{a} in [\"opt_a\", \"opt_b\"] {{\n        \
                 v.require(\"text_{b}\", msg(\"请说明所选类别\", \"Explain the category chosen in sel_{a}\", \"{article}\"));\n    }}"
            ),
            4 => format!(
                "if sum(form.items, \"amount\") > money(\"{}.00\") {{\n        \
                 v.note(msg(\"明细金额合计较高\", \"The items' amounts add up to much\", \"{article}\"));\n    }}",
                500 + i * 20
            ),
            5 => format!(
                "if form.check_{} && form.int_{b} >= 100 {{\n        \
                 v.set(\"dec_{}\", form.dec_{} + form.dec_{});\n    }} else {{\n        \
                 v.set(\"dec_{1}\", form.dec_{2});\n    }}",
                a % CHECKBOXES,
                inputs + i / 10,
                a % inputs,
                b % inputs
            ),
            6 => format!(
                "if form.text_{a}.len() > 12 && form.sel_{b} != \"opt_e\" {{\n        \
                 v.note(msg(\"说明较长\", \"text_{a} is long\", \"{article}\"));\n    }}"
            ),
            7 => format!(
                "if !filled(form.text_{a}) && form.check_{} {{\n        \
                 v.require(\"text_{a}\", msg(\"勾选后须填写说明\", \"Ticked: text_{a} is needed\", \"{article}\"));\n    }}",
                b % CHECKBOXES
            ),
            8 => format!(
                "if form.int_{a} in SMALL_INTS {{\n        \
                 v.error(\"int_{a}\", msg(\"数值过小\", \"int_{a} is too small\", \"{article}\"));\n    }}"
            ),
            _ => format!(
                "if ctx.totals.items.qty > money(\"50\") && days_between(form.date_{a}, ctx.today) > 30 {{\n        \
                 v.note(msg(\"明细数量较多且日期较早\", \"Many items, and date_{a} is over 30 days ago\", \"{article}\"));\n    }}"
            ),
        };
        let _ = writeln!(r, "    // rule {i}\n    {rule}");
    }
    r.push_str("    v\n}\n");
    r
}

/// A fully filled, valid form for the generated workflow (computed fields left empty).
fn generated_form() -> Form {
    let mut form = Form::new();
    for k in 0..TEXTS {
        let text =
            if k.is_multiple_of(10) { format!("KX-{}", 1000 + k) } else { format!("第{k}项说明 description {k}") };
        form.insert(format!("text_{k}"), json!(text));
    }
    for k in 0..INTEGERS {
        form.insert(format!("int_{k}"), json!(10 + (k * 37) % 900));
    }
    for k in 0..DECIMALS - COMPUTED {
        form.insert(format!("dec_{k}"), json!(format!("{}.{:02}", 100 + k * 13, k % 100)));
    }
    for k in 0..DATES {
        // Increasing with k, so that date_a ≤ date_b whenever a < b.
        form.insert(format!("date_{k}"), json!(format!("2025-{:02}-{:02}", 1 + k / 5, 1 + (k % 5) * 5)));
    }
    for k in 0..SELECTS {
        form.insert(format!("sel_{k}"), json!(OPTIONS[k % OPTIONS.len()]));
    }
    for k in 0..CHECKBOXES {
        form.insert(format!("check_{k}"), json!(k.is_multiple_of(2)));
    }
    let rows: Vec<Value> = (0..ROWS)
        .map(|r| {
            json!({
                "name": format!("明细 {r}"),
                "qty": 1 + r % 7,
                "amount": format!("{}.50", 20 + r * 3),
                "due": format!("2026-{:02}-15", 1 + r % 12),
                "category": OPTIONS[r % OPTIONS.len()],
            })
        })
        .collect();
    form.insert("items".into(), Value::Array(rows));
    form
}

fn bench_generated(c: &mut Criterion) {
    let (toml, rhai) = (generated_toml(), generated_rules());
    let dir = Path::new("generated");
    let wf = load(dir, &toml, &rhai).unwrap_or_else(|e| {
        panic!("the generated workflow does not load: {:#?}", e.0.iter().take(5).collect::<Vec<_>>())
    });
    assert_eq!(wf.definition.fields.len(), 300, "the generated form must have 300 fields");
    let form = generated_form();
    let initiator = Actor { id: "li".into(), name: "李明".into(), roles: vec!["applicant".into()], department: None };
    let ctx = RuleContext {
        step: "apply".into(),
        actor: initiator.clone(),
        initiator,
        today: "2026-03-02".into(),
        history: vec!["apply".into()],
        ..Default::default()
    };
    // Once, outside the timed loop: the evaluation succeeds and the form is valid.
    let eval = wf.evaluate(&form, &ctx).unwrap_or_else(|e| panic!("the generated rules failed: {e}"));
    assert!(eval.errors.is_empty(), "the generated form should be valid: {:?}", eval.errors);
    assert_eq!(eval.computed.len(), COMPUTED, "every computed field is set");
    eprintln!(
        "{GENERATED}: {} fields, {RULES} rules; the evaluation gives {} required, {} notes, {} computed, no errors",
        wf.definition.fields.len(),
        eval.required.len(),
        eval.notes.len(),
        eval.computed.len()
    );

    let mut g = c.benchmark_group("evaluate");
    g.bench_function(GENERATED, |b| b.iter(|| wf.evaluate(black_box(&form), black_box(&ctx))));
    g.finish();

    let mut g = c.benchmark_group("load");
    g.bench_function(GENERATED, |b| b.iter(|| load(dir, &toml, &rhai).is_ok()));
    g.finish();

    bench_to_rhai(c, GENERATED, &wf, &form);
}

criterion_group!(benches, bench_shipped, bench_generated);
criterion_main!(benches);

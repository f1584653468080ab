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
//! - `evaluate-fresh-stack/<workflow>`: `evaluate/<workflow>` on an ordinary 2 MB thread,
//!   where each rule call maps a stack segment of its own (`rules::budget`). Everything
//!   else runs, as on the server's engine threads, on a stack with room for the call.

use std::collections::BTreeSet;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, criterion_group};
use kexie_engine::bundle::Bundle;
use kexie_engine::definition::Source;
use kexie_engine::fields::Form;
use kexie_engine::golden::{self, Case, People};
use kexie_engine::people::Actor;
use kexie_engine::text::Lang;
use kexie_engine::{RuleContext, Workflow};

mod generated;

use generated::{COMPUTED, RULES, generated_form, generated_rules, generated_toml};

// The server's allocator, which counts what each rule call holds (`rules::memory`): the
// figures include that cost.
#[global_allocator]
static ALLOCATOR: kexie_engine::rules::memory::Counting = kexie_engine::rules::memory::Counting;

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
        bench_check(c, &s);
    }
}

/// What the rule editor runs after each pause in typing: load, then every golden case.
fn bench_check(c: &mut Criterion, s: &Shipped) {
    let cases = std::fs::read_dir(s.dir.join("cases")).unwrap_or_else(|e| panic!("{}: {e}", s.name));
    let bundle = Bundle {
        workflow_toml: s.workflow_toml.clone(),
        rules_rhai: s.rules_rhai.clone(),
        cases: cases
            .filter_map(|e| e.ok().map(|e| e.path()))
            .map(|p| (p.file_name().unwrap_or_default().to_string_lossy().into_owned(), read(&p)))
            .collect(),
    };
    let problems = bundle.check(Lang::En).problems(Lang::En);
    assert!(problems.is_empty(), "{}: {problems:#?}", s.name);
    let mut g = c.benchmark_group("check-with-cases");
    g.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    g.bench_function(&s.name, |b| b.iter(|| black_box(&bundle).check(Lang::En).cases.len()));
    g.finish();
}

/// The part of an evaluation that turns the JSON form into the rules' Rhai map.
fn bench_to_rhai(c: &mut Criterion, name: &str, wf: &Workflow, form: &Form) {
    let mut g = c.benchmark_group("to-rhai");
    g.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    g.bench_function(name, |b| b.iter(|| kexie_engine::fields::to_rhai(&wf.definition, black_box(form))));
    g.finish();
}

// ─── The generated 300-field workflow ───────────────────────────────────────────────

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

/// `evaluate/<workflow>` where a rule call gets a fresh stack segment (see `main`).
fn bench_fresh_stack(c: &mut Criterion) {
    let mut g = c.benchmark_group("evaluate-fresh-stack");
    g.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    for s in shipped() {
        let wf = s.load().unwrap_or_else(|e| panic!("{} does not load: {:#?}", s.name, e.0));
        let (case, people) = main_case(&s.dir);
        let (form, ctx) = (filled_form(&case), contexts(&wf, &case, &people).remove(0));
        g.bench_function(&s.name, |b| b.iter(|| wf.evaluate(black_box(&form), black_box(&ctx))));
    }
    g.finish();
}

criterion_group!(benches, bench_shipped, bench_generated);
criterion_group!(fresh_stack, bench_fresh_stack);

fn main() {
    // As on the server's engine threads (server/src/workers.rs): room for a rule call's
    // stack, so calls run in place.
    on_thread(kexie_engine::rules::limits::STACK_BYTES + (4 << 20), benches);
    on_thread(2 << 20, fresh_stack);
    Criterion::default().configure_from_args().final_summary();
}

fn on_thread(stack: usize, run: fn()) {
    let thread = std::thread::Builder::new().stack_size(stack).spawn(run).expect("a benchmark thread");
    if let Err(panic) = thread.join() {
        std::panic::resume_unwind(panic);
    }
}

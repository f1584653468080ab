//! Rules built from the shapes that once aborted or starved the server (issue 12): values
//! nested in themselves and then copied, printed, compared or returned; long strings
//! upper-cased, searched and cut in loops; endless loops; at the top level or in any rule
//! function. Each script is loaded and its functions called on a thread with a small stack
//! and the server's counting allocator: a call may fail (a diagnostic, a `RuleError`), but
//! never panic, never overflow a stack, and never run much past its time budget.
#![no_main]

use std::time::{Duration, Instant};

use arbitrary::{Arbitrary, Unstructured};
use kexie_engine::definition::Source;
use kexie_engine::rules::budget;
use kexie_engine::rules::memory::Counting;
use kexie_engine::{RuleContext, Workflow};
use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Budget per call here: short, so the fuzzer gets on.
const BUDGET: Duration = Duration::from_millis(100);

/// apply → (route) review | end; review is assigned by the rules.
const DEFINITION: &str = include_str!("../../engine/tests/fixture/routed.toml");

#[derive(Arbitrary, Debug)]
enum Place {
    Top,
    Check,
    Route,
    Assignees,
}

/// One statement over the variables every place starts with: a map `m`, an array `a`, a
/// string `s`.
#[derive(Arbitrary, Debug)]
enum Shape {
    NestMap(u16),
    NestArray(u16),
    NestIndex(u16),
    NestPush(u16),
    NestMapIndex(u16),
    Pad(u32),
    Upper(u16),
    Search(u16),
    SearchFrom(u16, i16),
    Contains(u16),
    Cut(u16, i16),
    Replace(u16),
    Print,
    Compare,
    Copy,
    Loop,
    ReturnNested,
}

impl Shape {
    fn rhai(&self) -> String {
        match self {
            Shape::NestMap(n) => format!("for i in 0..{n} {{ m.n = m; }}"),
            Shape::NestArray(n) => format!("for i in 0..{n} {{ a = [a]; }}"),
            Shape::NestIndex(n) => format!("a.push(0); for i in 0..{n} {{ a[0] = a; }}"),
            Shape::NestPush(n) => format!("for i in 0..{n} {{ a.push(a); }}"),
            Shape::NestMapIndex(n) => format!("for i in 0..{n} {{ m[\"k\"] = m; }}"),
            Shape::Pad(n) => format!("s.pad({}, \"ß\");", n % 200_000),
            Shape::Upper(n) => format!("for i in 0..{n} {{ let t = s.to_upper(); }}"),
            Shape::Search(n) => format!("for i in 0..{n} {{ s.index_of(\"b\"); }}"),
            Shape::SearchFrom(n, at) => format!("for i in 0..{n} {{ s.index_of(\"b\", {at}); }}"),
            Shape::Contains(n) => format!("for i in 0..{n} {{ s.contains(\"b\"); }}"),
            Shape::Cut(n, at) => format!("for i in 0..{n} {{ s.sub_string({at}, 5); }}"),
            Shape::Replace(n) => format!("for i in 0..{n} {{ let t = s; t.replace(\"ß\", \"ss\"); }}"),
            Shape::Print => "let p = `${m}${a}`;".into(),
            Shape::Compare => "let c = a == a;".into(),
            Shape::Copy => "let c = [m, a, m, a];".into(),
            Shape::Loop => "loop { }".into(),
            Shape::ReturnNested => "return [m, a];".into(),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Script {
    shapes: Vec<(Place, Shape)>,
}

impl Script {
    fn rhai(&self) -> String {
        let at = |place: fn(&Place) -> bool| -> String {
            let body: Vec<String> = self.shapes.iter().filter(|(p, _)| place(p)).map(|(_, s)| s.rhai()).collect();
            format!("let m = #{{}}; let a = []; let s = \"ab\";\n{}\n", body.join("\n"))
        };
        format!(
            "{top}\nconst LIMIT = 3;\n\
             fn check(form, ctx) {{ {check} verdict() }}\n\
             fn route(form, ctx) {{ {route} \"review\" }}\n\
             fn assignees(form, ctx) {{ {assignees} [\"a1\"] }}\n",
            top = at(|p| matches!(p, Place::Top)),
            check = at(|p| matches!(p, Place::Check)),
            route = at(|p| matches!(p, Place::Route)),
            assignees = at(|p| matches!(p, Place::Assignees)),
        )
    }
}

/// Runs `f` on a thread with a stack far smaller than any host's, and says how long it took.
fn small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> (T, Duration) {
    let started = Instant::now();
    let out = std::thread::Builder::new().stack_size(256 << 10).spawn(f).expect("a thread").join();
    (out.unwrap_or_else(|_| panic!("a rule call panicked")), started.elapsed())
}

fn run(script: String) {
    budget::set_time_limit(BUDGET);
    let (loaded, _) = small_stack(move || {
        Workflow::load(&Source { name: "w.toml", text: DEFINITION }, &Source { name: "r.rhai", text: &script })
            .map(std::sync::Arc::new)
    });
    let Ok(wf) = loaded else { return };
    for function in ["check", "route", "assignees"] {
        let wf = wf.clone();
        let (_, took) = small_stack(move || {
            let ctx = RuleContext { step: "apply".into(), today: "2026-03-02".into(), ..Default::default() };
            let form = Default::default();
            let step = wf.definition.step("apply").expect("the apply step");
            match function {
                "check" => wf.evaluate(&form, &ctx).map(|_| ()),
                "route" => wf.route(step, &form, &ctx).map(|_| ()),
                _ => wf.assignees(&form, &ctx).map(|_| ()),
            }
        });
        // One operation past the budget is all a call may run; a second is far more.
        assert!(took < BUDGET * 20, "{function} ran {took:?} on a {BUDGET:?} budget");
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(script) = Script::arbitrary_take_rest(Unstructured::new(data)) {
        run(script.rhai());
    }
});

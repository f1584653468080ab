//! The one Rhai engine configuration used in the browser and on the server.

use std::collections::BTreeMap;
#[cfg(not(target_arch = "wasm32"))]
use std::sync::OnceLock;

use rhai::packages::{
    ArithmeticPackage, BasicArrayPackage, BasicFnPackage, BasicIteratorPackage, BasicMapPackage, BasicMathPackage,
    BasicStringPackage, LogicPackage, MoreStringPackage, Package,
};
use rhai::{Dynamic, Engine, EvalAltResult, EvalContext, Scope, Shared};

/// Limits that keep a runaway or hostile script from hurting the host.
pub mod limits {
    /// Operations one rule call may run (a `check` of a 300-field form needs ~30k), counting
    /// one per [`CHARGE_BYTES`] copied or searched (`rules::budget`).
    pub const OPERATIONS: u64 = 500_000;
    /// Bytes copied or searched that count as one operation.
    pub const CHARGE_BYTES: usize = 64;
    /// Milliseconds of wall clock one rule call may run, unless the host sets another
    /// (`rules::budget::set_time_limit`).
    pub const TIME_MS: u64 = 1_000;
    /// The stack a rule call runs on (reserved, and touched only as deep as it goes).
    pub const STACK_BYTES: usize = 64 << 20;
    /// Levels a top-level constant may nest (a table of tables is 2).
    pub const CONSTANT_DEPTH: usize = 8;
    /// Bytes of constants one script's top level may leave (they stay loaded with it).
    pub const CONSTANT_BYTES: usize = 1 << 20;
    /// Nested function calls (stops unbounded recursion).
    pub const CALL_LEVELS: usize = 32;
    /// Nesting of expressions, at top level and inside functions.
    pub const EXPR_DEPTH: usize = 64;
    /// Nesting of expressions inside functions.
    pub const FN_EXPR_DEPTH: usize = 32;
    /// Characters in one string.
    pub const STRING_SIZE: usize = 100_000;
    /// Elements in one array.
    pub const ARRAY_SIZE: usize = 10_000;
    /// Entries in one object map.
    pub const MAP_SIZE: usize = 10_000;
    /// Bytes one rule call may hold in all, where the host counts them (`rules::memory`).
    pub const MEMORY_BYTES: usize = 32 << 20;
}

/// The shared, immutable engine. Building it registers the library once per process.
#[cfg(not(target_arch = "wasm32"))]
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(build)
}

/// The engine, built once: the browser's one thread holds it for the page's life
/// (without Rhai's `sync` it cannot sit in a static).
#[cfg(target_arch = "wasm32")]
pub fn engine() -> &'static Engine {
    thread_local! {
        static ENGINE: &'static Engine = Box::leak(Box::new(build()));
    }
    ENGINE.with(|e| *e)
}

fn build() -> Engine {
    // `new_raw` has no packages, no module resolver and prints nowhere; we add only what
    // rules need, which also keeps the wasm build small. Rhai's `CorePackage` without its
    // `LanguageCorePackage`: that one has `sleep`, which would hold a server thread as long
    // as a script asks, outside the operations limit (issue 6), and `exit` and tags,
    // which rules do not need.
    let mut engine = Engine::new_raw();
    for module in [
        ArithmeticPackage::new().as_shared_module(),
        BasicStringPackage::new().as_shared_module(),
        BasicIteratorPackage::new().as_shared_module(),
        BasicFnPackage::new().as_shared_module(),
        LogicPackage::new().as_shared_module(),
        BasicMathPackage::new().as_shared_module(),
        BasicArrayPackage::new().as_shared_module(),
        BasicMapPackage::new().as_shared_module(),
        MoreStringPackage::new().as_shared_module(),
    ] {
        engine.register_global_module(module);
    }
    engine
        .set_max_operations(limits::OPERATIONS)
        .set_max_call_levels(limits::CALL_LEVELS)
        .set_max_expr_depths(limits::EXPR_DEPTH, limits::FN_EXPR_DEPTH)
        .set_max_string_size(limits::STRING_SIZE)
        .set_max_array_size(limits::ARRAY_SIZE)
        .set_max_map_size(limits::MAP_SIZE)
        .set_fail_on_invalid_map_property(false)
        .disable_symbol("eval")
        // `f.curry(x)` copies every argument curried so far and the sandbox does not count
        // them: a loop of it grew to gigabytes within the operations limit (issue 6).
        .disable_symbol("curry");
    // Checked on every operation: one operation copies at most one value, which Rhai's size
    // limits keep to a few megabytes, so a call stops soon after passing a budget.
    engine.on_progress(super::budget::spent);
    #[allow(deprecated)] // `on_var` is marked volatile, not deprecated
    engine.on_var(resolve_constant);
    super::library::register(&mut engine);
    engine
}

/// The top-level constants of one script, shared by all its calls.
#[derive(Debug, Clone, Default)]
pub(crate) struct Constants(Shared<BTreeMap<String, Dynamic>>);

impl Constants {
    /// The constants a script's top level left in `scope`.
    pub fn of(scope: &Scope<'_>) -> Self {
        Constants(Shared::new(
            scope.iter().filter(|(_, constant, _)| *constant).map(|(n, _, v)| (n.to_string(), v)).collect(),
        ))
    }

    /// Each constant by name.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Dynamic)> {
        self.0.iter()
    }

    /// Whether they nest and weigh no more than constants may: the message if not.
    pub fn check(&self) -> Result<(), String> {
        if let Some((name, _)) = self.0.iter().find(|(_, v)| super::value::nests_deeper(v, limits::CONSTANT_DEPTH)) {
            return Err(format!("the constant {name} nests more than {} levels deep", limits::CONSTANT_DEPTH));
        }
        let bytes: usize = self.0.iter().map(|(n, v)| n.len() + super::value::size_of(v)).sum();
        if bytes > limits::CONSTANT_BYTES {
            return Err(format!(
                "the constants take {} KB, more than {} KB",
                bytes >> 10,
                limits::CONSTANT_BYTES >> 10
            ));
        }
        Ok(())
    }
}

/// Rhai functions do not see the script's top level; the engine is shared by every
/// workflow. So each call carries its script's constants as the evaluation tag, and a
/// variable that is not a local of the function is looked up there.
fn resolve_constant(name: &str, index: usize, ctx: EvalContext) -> Result<Option<Dynamic>, Box<EvalAltResult>> {
    if index > 0 {
        return Ok(None); // a local variable, already placed by the parser
    }
    Ok(ctx.tag().read_lock::<Constants>().and_then(|c| c.0.get(name).cloned()))
}

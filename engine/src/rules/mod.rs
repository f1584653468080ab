//! Rules in Rhai: the sandboxed engine, the registered library and the rule contract.
//!
//! The contract is three functions, each taking `(form, ctx)`: `check` (required) returns
//! a [`Verdict`]; `route` picks the next step when a step lists several; `assignees`
//! picks the people of a step whose actors are `"rules"`.

pub mod budget;
mod error;
pub(crate) mod library;
pub mod memory;
mod reads;
mod sandbox;
mod value;
mod verdict;

use rhai::{AST, CallFnOptions, Dynamic, Scope};

pub use error::RuleError;
pub(crate) use reads::misreads;
use sandbox::Constants;
pub use sandbox::{engine, limits};
pub(crate) use value::preview;
pub use verdict::Verdict;

use crate::definition::{Diagnostic, Source};
use crate::text::Text;

/// The contract functions: name, parameters, whether every script must define it.
pub const CONTRACT: [(&str, usize, bool); 3] = [("check", 2, true), ("route", 2, false), ("assignees", 2, false)];

/// A compiled `rules.rhai`. Compiled once per definition version; calls reuse the AST.
#[derive(Debug, Clone)]
pub struct Rules {
    ast: AST,
    file: String,
    /// The script defines `route(form, ctx)`.
    pub has_route: bool,
    /// The script defines `assignees(form, ctx)`.
    pub has_assignees: bool,
    /// The line each function starts at, for errors the sandbox cannot place exactly.
    starts: Vec<(String, u32)>,
    /// The script's top-level constants, handed to every call.
    constants: Constants,
}

impl Rules {
    /// Compiles a script and checks it keeps the contract, each problem with
    /// `file:line:col`. The rules come back whenever the script parses, even with contract
    /// problems, so the definition can still be checked against what it defines.
    pub fn compile(src: &Source<'_>) -> (Option<Rules>, Vec<Diagnostic>) {
        let (mut ast, constants) = match compile_with_constants(src) {
            Ok(compiled) => compiled,
            Err(problems) => return (None, problems),
        };
        ast.set_source(src.name);
        let problems = contract_problems(src, &ast);
        let defines = |name: &str| ast.iter_functions().any(|f| f.name == name);
        let (has_route, has_assignees) = (defines("route"), defines("assignees"));
        let starts = ast
            .iter_functions()
            .map(|f| (f.name.to_string(), line_of(src.text, definition_offset(src.text, f.name))))
            .collect();
        (Some(Rules { has_route, has_assignees, file: src.name.to_string(), ast, starts, constants }), problems)
    }

    /// The file the rules came from.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Calls a contract function and reads its result with `read`; nothing the script does
    /// can escape the sandbox. Both run within the call's budgets (`budget`), and whatever
    /// the script built is dropped there: only what `read` makes of it leaves.
    pub(crate) fn call<T>(
        &self,
        function: &str,
        form: Dynamic,
        ctx: Dynamic,
        read: impl FnOnce(Dynamic) -> Result<T, RuleError>,
    ) -> Result<T, RuleError> {
        // The top level ran once at compile time; calls only run the function body, with
        // the constants it defined at hand (see `sandbox::resolve_constant`).
        let options = CallFnOptions::new().eval_ast(false).rewind_scope(true).with_tag(self.constants.clone());
        budget::metered(|| {
            match engine().call_fn_with_options::<Dynamic>(options, &mut Scope::new(), &self.ast, function, (form, ctx))
            {
                Ok(out) => read(out),
                Err(e) => {
                    let start = self.starts.iter().find(|(f, _)| f == function).map_or(0, |(_, line)| *line);
                    Err(RuleError::from_eval(function, &self.file, &e).or_at_line(start))
                }
            }
        })
    }

    /// Calls `check` and insists on a verdict back, whose computed values are field values
    /// (a table's rows at most: no deeper than [`value::FIELD_DEPTH`]).
    pub(crate) fn check(&self, form: Dynamic, ctx: Dynamic) -> Result<Verdict, RuleError> {
        self.call("check", form, ctx, |out| {
            let got = out.type_name().to_string();
            let verdict = out
                .try_cast::<Verdict>()
                .ok_or_else(|| self.wrong_return("check", "a verdict (let v = verdict(); … v)", got))?;
            match verdict.computed.iter().find(|(_, v)| value::nests_deeper(v, value::FIELD_DEPTH)) {
                Some((field, v)) => Err(self.wrong_return(
                    "check",
                    &format!("a field's value in v.set(\"{field}\", …)"),
                    value::preview(v),
                )),
                None => Ok(verdict),
            }
        })
    }

    pub(crate) fn wrong_return(&self, function: &str, expected: &str, got: String) -> RuleError {
        RuleError::WrongReturn { function: function.into(), file: self.file.clone(), expected: expected.into(), got }
    }
}

/// Rhai functions cannot see top-level variables, but administrators keep thresholds in
/// top-level `const`s. So the top level runs once, sandboxed and within a call's budgets
/// (it runs again at every load of the script), and its constants are kept for every call.
/// Those are bounded (`limits::CONSTANT_DEPTH`, `limits::CONSTANT_BYTES`), since they stay
/// loaded and are copied, compared and dropped outside any call; the optimizer folds the
/// small scalar ones into the functions.
fn compile_with_constants(src: &Source<'_>) -> Result<(AST, Constants), Vec<Diagnostic>> {
    let parse = |scope: &Scope| engine().compile_with_scope(scope, src.text).map_err(|e| vec![parse_error(src, &e)]);
    let first = parse(&Scope::new())?;
    let constants = budget::metered(|| -> Result<Constants, Vec<Diagnostic>> {
        let mut scope = Scope::new();
        engine().run_ast_with_scope(&mut scope, &first).map_err(|e| {
            let err = RuleError::from_eval("(top level)", src.name, &e);
            let (line, col) = line_col(src, e.position());
            top_level_problem(src, line, col, &err.to_string())
        })?;
        let constants = Constants::of(&scope);
        constants.check().map_err(|what| top_level_problem(src, 1, 1, &what))?;
        Ok(constants)
    })?;
    let mut folded = Scope::new();
    for (name, value) in constants.iter().filter(|(_, v)| value::is_small_scalar(v)) {
        folded.push_constant_dynamic(name.clone(), value.clone());
    }
    let ast = if folded.is_empty() { first } else { parse(&folded)? };
    Ok((ast, constants))
}

fn top_level_problem(src: &Source<'_>, line: u32, col: u32, what: &str) -> Vec<Diagnostic> {
    let message =
        Text::new(format!("规则脚本顶层代码出错：{what}"), format!("the top level of the rules failed: {what}"));
    vec![Diagnostic::new(src.name, line, col, message)]
}

fn parse_error(src: &Source<'_>, err: &rhai::ParseError) -> Diagnostic {
    let mut offset = offset_of(src, err.position());
    // Rhai notices a missing `{` (or `)`, `}`) at the token after it, which may be on the
    // next line; it is missing where what came before it ends.
    if matches!(err.err_type(), rhai::ParseErrorType::MissingToken(..)) {
        offset = src.text[..offset].trim_end().len();
    }
    let (line, col) = src.line_col(offset);
    let detail = err.err_type().to_string();
    let message = Text::new(
        format!("规则脚本无法编译：{detail}。请修正这一处语法。"),
        format!("the rules do not compile: {detail}. Fix the syntax here."),
    );
    Diagnostic::new(src.name, line, col, message)
}

/// Rhai's position of a problem as a line and column of `src` as everything else counts
/// them (lines end at `\n`). Rhai also ends a line at a lone `\r` in a `//` comment, and
/// may point just past the end, so its position is taken to an offset first — lines
/// ending at `\r\n`, `\n` or `\r`, the column clamped to its line — and that offset is
/// what is reported: always a place inside the file.
fn line_col(src: &Source<'_>, pos: rhai::Position) -> (u32, u32) {
    src.line_col(offset_of(src, pos))
}

/// The byte offset in `src` of Rhai's position (see [`line_col`]).
fn offset_of(src: &Source<'_>, pos: rhai::Position) -> usize {
    let (line, col) = (pos.line().unwrap_or(1).max(1), pos.position().unwrap_or(1).max(1));
    let text = src.text;
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find(['\r', '\n']) {
            Some(i) => start += i + if text[start + i..].starts_with("\r\n") { 2 } else { 1 },
            None => break,
        }
    }
    let end = text[start..].find(['\r', '\n']).map_or(text.len(), |i| start + i);
    text[start..end].char_indices().nth(col - 1).map_or(end, |(i, _)| start + i)
}

fn contract_problems(src: &Source<'_>, ast: &AST) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for (name, arity, required) in CONTRACT {
        let defined: Vec<usize> = ast.iter_functions().filter(|f| f.name == name).map(|f| f.params.len()).collect();
        let at = definition_offset(src.text, name);
        if defined.is_empty() && required {
            problems.push(src.at(
                0,
                Text::new(
                    format!("缺少规则函数 {name}(form, ctx)：请定义它并返回一个 verdict()。"),
                    format!("the rule function {name}(form, ctx) is missing: define it and return a verdict()."),
                ),
            ));
        } else if !defined.is_empty() && !defined.contains(&arity) {
            problems.push(src.at(
                at,
                Text::new(
                    format!("规则函数 {name} 应有 {arity} 个参数 (form, ctx)，现有 {} 个。", defined[0]),
                    format!("the rule function {name} must take {arity} parameters (form, ctx), not {}.", defined[0]),
                ),
            ));
        }
    }
    problems
}

fn line_of(text: &str, offset: usize) -> u32 {
    text[..offset].matches('\n').count() as u32 + 1
}

/// Where `fn name(` is written, for pointing at a function with the wrong arity.
fn definition_offset(text: &str, name: &str) -> usize {
    let mut from = 0;
    while let Some(i) = text[from..].find("fn ") {
        let at = from + i;
        let rest = text[at + 3..].trim_start();
        if rest.starts_with(name) && rest[name.len()..].trim_start().starts_with('(') {
            return at;
        }
        from = at + 3;
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_are_seen_by_every_function_in_every_use() {
        let text = r#"
const LEVELS = #{ a: 1, b: 2 };
const LIST = ["x", "y"];
const CAP = 10.50;
fn helper(key) { LEVELS[key] + LIST.len() }
fn check(form, ctx) {
    let v = verdict();
    let key = "b";
    if helper(key) == 4 && LIST[1] == "y" && CAP > 10 { v.note(msg("ok", "ok")); }
    v
}
"#;
        let (rules, problems) = Rules::compile(&Source { name: "r.rhai", text });
        assert!(problems.is_empty(), "{problems:?}");
        let verdict = rules.unwrap().check(Dynamic::UNIT, Dynamic::UNIT).expect("constants resolve");
        assert_eq!(verdict.notes.len(), 1);
    }

    #[test]
    fn a_local_variable_shadows_nothing_it_should_not() {
        let text = "const N = 1;\nfn check(form, ctx) { let N = 2; let v = verdict(); if N == 2 { v.note(msg(\"a\", \"b\")); } v }";
        let (rules, _) = Rules::compile(&Source { name: "r.rhai", text });
        assert_eq!(rules.unwrap().check(Dynamic::UNIT, Dynamic::UNIT).unwrap().notes.len(), 1);
    }

    #[test]
    fn a_missing_brace_is_reported_where_it_is_missing() {
        let text = "fn check(form, ctx) {\n    let v = verdict();\n    if form.x > 1\n        v.note(msg(\"a\", \"b\"));\n    v\n}\n";
        let (_, problems) = Rules::compile(&Source { name: "r.rhai", text });
        assert_eq!((problems[0].line, problems[0].col), (3, 18), "{}", problems[0]);
    }
}

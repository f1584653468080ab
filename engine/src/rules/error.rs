//! Errors a rule can end with. None of them panics or changes an instance.

use rhai::{EvalAltResult, Position};
use serde::{Deserialize, Serialize};

/// A rule function failed, ran into a sandbox limit, or returned the wrong thing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleError {
    /// The script raised an error (a missing function, a type mismatch, `throw`).
    #[error("rule `{function}` failed at {file}:{line}:{col}: {message}")]
    Failed {
        /// The contract function that was called.
        function: String,
        /// The rules file.
        file: String,
        /// Where, 1-based (0 when the script gives no position).
        line: u32,
        /// Where, 1-based.
        col: u32,
        /// What went wrong.
        message: String,
    },
    /// The script ran past a sandbox limit and was stopped.
    #[error("rule `{function}` was stopped at {file}:{line}:{col}: {limit}")]
    Limit {
        /// The contract function that was called.
        function: String,
        /// The rules file.
        file: String,
        /// Where, 1-based.
        line: u32,
        /// Where, 1-based.
        col: u32,
        /// Which limit, in words.
        limit: String,
    },
    /// The function returned a value of the wrong type or content.
    #[error("rule `{function}` in {file} returned {got}; it must return {expected}")]
    WrongReturn {
        /// The contract function that was called.
        function: String,
        /// The rules file.
        file: String,
        /// What it must return.
        expected: String,
        /// What it returned.
        got: String,
    },
}

impl RuleError {
    /// Builds the error for a failed call of `function`, at the innermost position the
    /// script reports (inside nested helper functions, not at the call site).
    pub(crate) fn from_eval(function: &str, file: &str, err: &EvalAltResult) -> Self {
        let (inner, pos) = innermost(err);
        let (line, col) = (pos.line().unwrap_or(0) as u32, pos.position().unwrap_or(0) as u32);
        let (function, file) = (function.to_string(), file.to_string());
        match limit_name(inner) {
            Some(limit) => RuleError::Limit { function, file, line, col, limit },
            None => RuleError::Failed { function, file, line, col, message: message_of(inner) },
        }
    }
}

impl RuleError {
    /// Some limits (a string grown too large) carry no position: name the line where the
    /// function starts instead of none.
    pub(crate) fn or_at_line(mut self, start: u32) -> Self {
        if let RuleError::Failed { line, col, .. } | RuleError::Limit { line, col, .. } = &mut self
            && *line == 0
        {
            (*line, *col) = (start, 1);
        }
        self
    }
}

fn innermost(err: &EvalAltResult) -> (&EvalAltResult, Position) {
    match err {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, pos) => {
            let (e, p) = innermost(inner);
            (e, if p.is_none() { *pos } else { p })
        }
        e => (e, e.position()),
    }
}

fn limit_name(err: &EvalAltResult) -> Option<String> {
    Some(match err {
        EvalAltResult::ErrorTooManyOperations(_) => {
            format!("more than {} operations (an endless loop?)", super::limits::OPERATIONS)
        }
        EvalAltResult::ErrorStackOverflow(_) => {
            format!("calls nested deeper than {} (endless recursion?)", super::limits::CALL_LEVELS)
        }
        EvalAltResult::ErrorDataTooLarge(what, _) => format!("{what} grew too large"),
        EvalAltResult::ErrorTooManyVariables(_) => "too many variables".to_string(),
        EvalAltResult::ErrorTerminated(token, _) => match token.clone().into_string().as_deref() {
            Ok(super::budget::MEMORY) => format!("more than {} MB of memory", super::limits::MEMORY_BYTES >> 20),
            Ok(super::budget::TIME) => {
                format!("more than {} ms (a slow loop over large values?)", super::budget::time_limit().as_millis())
            }
            _ => format!("more than {} operations, counting large values by size", super::limits::OPERATIONS),
        },
        _ => return None,
    })
}

fn message_of(err: &EvalAltResult) -> String {
    // The position is reported separately; drop rhai's " (line 3, position 5)" suffix.
    let text = err.to_string();
    match text.rfind(" (line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

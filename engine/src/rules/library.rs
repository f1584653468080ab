//! The functions rules may call beyond Rhai's core: dates, money, strings, verdicts.

use rhai::{Array, Dynamic, Engine, EvalAltResult, INT, Position};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::fields::date::{self, Date};

type Fallible<T> = Result<T, Box<EvalAltResult>>;

/// Registers the whole library on `engine`.
pub fn register(engine: &mut Engine) {
    super::verdict::register(engine);
    register_dates(engine);
    register_money(engine);
    register_helpers(engine);
    register_searches(engine);
}

/// Rhai's string searches, the same but charged by the bytes they read (`budget`): they
/// allocate nothing, so only this tells a search of 100 000 characters from one of ten.
/// Registered functions come before the packages' of the same signature.
fn register_searches(engine: &mut Engine) {
    fn read(s: &str) -> &str {
        super::budget::charge_read(s.len());
        s
    }
    // As Rhai's: nothing is found in an empty string, not even an empty one.
    fn index(s: &str, found: Option<usize>) -> INT {
        match found {
            Some(at) if !s.is_empty() => s[..at].chars().count() as INT,
            _ => -1,
        }
    }
    // Where a search from character `start` begins, in bytes, as Rhai counts it: from the
    // end if negative (from the beginning if before it), nowhere if past the end.
    fn from(s: &str, start: INT) -> Option<usize> {
        let chars = read(s).chars().count();
        let char_at = |k: usize| s.char_indices().nth(k).map_or(s.len(), |(i, _)| i);
        match usize::try_from(start.unsigned_abs()) {
            Ok(back) if start < 0 => Some(char_at(chars.saturating_sub(back))),
            Ok(k) if k < chars || k == 0 => Some(char_at(k)),
            _ => None,
        }
    }
    fn find_from(s: &str, start: INT, find: impl FnOnce(&str) -> Option<usize>) -> INT {
        match from(s, start) {
            Some(at) => index(s, find(read(&s[at..])).map(|i| at + i)),
            None => -1,
        }
    }
    engine
        .register_fn("contains", |s: &str, find: &str| read(s).contains(find))
        .register_fn("contains", |s: &str, c: char| read(s).contains(c))
        .register_fn("index_of", |s: &str, find: &str| index(s, read(s).find(find)))
        .register_fn("index_of", |s: &str, c: char| index(s, read(s).find(c)))
        .register_fn("index_of", |s: &str, find: &str, start: INT| find_from(s, start, |rest| rest.find(find)))
        .register_fn("index_of", |s: &str, c: char, start: INT| find_from(s, start, |rest| rest.find(c)));
}

fn runtime_error(message: String) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(message.into(), Position::NONE).into()
}

/// Date helpers take `()` (an empty date field) too and then give `()` back, so a
/// half-filled form flows through a rule instead of stopping it: `() > 5` is false. A text
/// that is not a date gives `()` as well: the field's own check already says so
/// (「请填写有效日期」), and a rule error would hide that message.
fn register_dates(engine: &mut Engine) {
    let two = |f: fn(Date, Date) -> INT| {
        move |a: &str, b: &str| date::parse(a).zip(date::parse(b)).map_or(Dynamic::UNIT, |(a, b)| f(a, b).into())
    };
    engine
        .register_fn("is_date", |s: &str| date::parse(s).is_some())
        .register_fn("is_date", |_: ()| false)
        .register_fn("days_between", two(date::days_between))
        .register_fn("months_between", two(date::months_between))
        .register_fn("add_days", |d: &str, n: INT| -> Fallible<Dynamic> {
            let Some(day) = date::parse(d) else { return Ok(Dynamic::UNIT) };
            date::add_days(day, n)
                .map(|d| date::format(d).into())
                .ok_or_else(|| runtime_error(format!("{d} + {n} days is out of range")))
        })
        .register_fn("add_months", |d: &str, n: INT| -> Fallible<Dynamic> {
            let Some(day) = date::parse(d) else { return Ok(Dynamic::UNIT) };
            date::add_months(day, n)
                .map(|d| date::format(d).into())
                .ok_or_else(|| runtime_error(format!("{d} + {n} months is out of range")))
        })
        .register_fn("year_of", |d: &str| date::parse(d).map_or(Dynamic::UNIT, |d| (d.year() as INT).into()))
        .register_fn("year_of", |_: ()| ());
    for name in ["days_between", "months_between"] {
        engine
            .register_fn(name, |_: (), _: &str| ())
            .register_fn(name, |_: &str, _: ()| ())
            .register_fn(name, |_: (), _: ()| ());
    }
    for name in ["add_days", "add_months"] {
        engine.register_fn(name, |_: (), _: INT| ()).register_fn(name, |_: &str, _: ()| ());
    }
}

fn register_money(engine: &mut Engine) {
    engine
        .register_fn("money", |x: INT| Decimal::from(x))
        .register_fn("money", |x: Decimal| x)
        .register_fn("money", |s: &str| -> Fallible<Decimal> {
            s.trim().parse::<Decimal>().map_err(|_| runtime_error(format!("'{s}' is not an amount")))
        })
        .register_fn("round_money", |x: Decimal| x.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
        .register_fn("round_money", |x: INT| Decimal::from(x))
        .register_fn("sum", |rows: Array, column: &str| sum_column(&rows, column));
}

/// The exact sum of a column of table rows; empty cells count as nothing.
pub fn sum_column(rows: &Array, column: &str) -> Decimal {
    rows.iter()
        .filter_map(|row| row.read_lock::<rhai::Map>().and_then(|m| m.get(column).cloned()))
        .filter_map(|cell| as_decimal(&cell))
        .sum()
}

/// A rule value as an exact decimal, if it is a number.
pub fn as_decimal(value: &Dynamic) -> Option<Decimal> {
    value.as_decimal().ok().or_else(|| value.as_int().ok().map(Decimal::from))
}

fn register_helpers(engine: &mut Engine) {
    engine
        .register_fn("filled", |x: Dynamic| filled(&x))
        .register_fn("is_blank", |s: &str| s.trim().is_empty())
        .register_fn("is_blank", |_: ()| true)
        .register_fn("trimmed", |s: &str| s.trim().to_string());
}

/// False for `()`, blank text and an empty list or map.
pub fn filled(x: &Dynamic) -> bool {
    if x.is_unit() {
        false
    } else if let Ok(s) = x.as_immutable_string_ref() {
        !s.trim().is_empty()
    } else if let Some(a) = x.read_lock::<Array>() {
        !a.is_empty()
    } else if let Some(m) = x.read_lock::<rhai::Map>() {
        !m.is_empty()
    } else {
        true
    }
}

#[cfg(test)]
mod tests {
    use rhai::Dynamic;

    fn eval(expr: &str) -> Dynamic {
        super::super::engine().eval_expression::<Dynamic>(expr).unwrap_or_else(|e| panic!("{expr}: {e}"))
    }

    #[test]
    fn money_is_exact() {
        assert_eq!(eval("0.1 + 0.2 == 0.3").as_bool(), Ok(true));
        assert_eq!(eval("round_money(2.345)").to_string(), "2.35");
        assert_eq!(eval("money(\"12.50\") + money(3)").to_string(), "15.50");
        assert_eq!(eval("sum([#{b: 1.25}, #{b: ()}, #{b: 2}], \"b\")").to_string(), "3.25");
    }

    #[test]
    fn dates_and_empty_values() {
        assert_eq!(eval("days_between(\"2026-02-27\", \"2026-03-01\")").as_int(), Ok(2));
        assert_eq!(eval("add_months(\"2026-01-31\", 1)").to_string(), "2026-02-28");
        assert_eq!(eval("year_of(\"2026-03-01\")").as_int(), Ok(2026));
        assert!(eval("days_between((), \"2026-03-01\")").is_unit());
        assert_eq!(eval("is_date(()) || is_date(\"2026-13-01\")").as_bool(), Ok(false));
        assert_eq!(eval("filled(()) || filled(\" \") || filled([])").as_bool(), Ok(false));
        assert_eq!(eval("filled(0)").as_bool(), Ok(true));
    }

    #[test]
    fn what_is_not_a_date_gives_unit_not_an_error() {
        for call in ["days_between(\"2026-3-1\", \"2026-03-01\")", "months_between(\"2026-03-01\", \"soon\")"] {
            assert!(eval(call).is_unit(), "{call}");
        }
        assert!(eval("add_days(\"2026-02-30\", 1)").is_unit());
        assert!(eval("year_of(\"明年\")").is_unit());
        assert_eq!(eval("days_between(\"2026-3-1\", \"2026-03-01\") > 3").as_bool(), Ok(false));
    }
}

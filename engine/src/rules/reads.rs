//! What the rules read of the form: each `form.<name>` (and `form["name"]`) where it is
//! written, and each option value a field is compared with, so that a read of a field the
//! definition does not have, or a comparison with an option a field does not have, is
//! reported. Rhai reads a missing property as `()`, so such a rule would load, run and
//! never fire.

use rhai::{ASTNode, Expr, Position};

use super::{CONTRACT, Rules};
use crate::definition::{Definition, Diagnostic, Field, Source};
use crate::text::Text;

/// What a script reads of the form, each with where it is written.
#[derive(Default)]
struct Reads {
    /// `form.<field>`.
    fields: Vec<(String, Position)>,
    /// `form.<field> == "<text>"` (or `!=`), at the text.
    compared: Vec<(String, String, Position)>,
}

impl Rules {
    /// What the script reads of the form. The form is `form`, or whatever the contract
    /// functions call their first parameter.
    fn form_reads(&self) -> Reads {
        let contract = self.ast.iter_functions().filter(|f| CONTRACT.iter().any(|(name, ..)| *name == f.name));
        let mut forms: Vec<String> = contract.filter_map(|f| f.params.first().map(|p| p.to_string())).collect();
        forms.push("form".into());
        let is_form = |e: &Expr| matches!(e, Expr::Variable(v, ..) if forms.iter().any(|f| f == v.1.as_str()));
        let mut reads = Reads::default();
        self.ast.walk(&mut |path: &[ASTNode]| {
            match path.last() {
                Some(ASTNode::Expr(Expr::Dot(x, ..))) if is_form(&x.lhs) => reads.fields.extend(property(&x.rhs)),
                Some(ASTNode::Expr(Expr::Index(x, ..))) if is_form(&x.lhs) => reads.fields.extend(literal(&x.rhs)),
                Some(ASTNode::Expr(Expr::FnCall(call, _))) if ["==", "!="].contains(&call.name.as_str()) => {
                    if let [a, b] = call.args.as_slice() {
                        let field = |e: &Expr| match e {
                            Expr::Dot(x, ..) if is_form(&x.lhs) => name(&x.rhs),
                            _ => None,
                        };
                        let pairs = [(field(a), literal(b)), (field(b), literal(a))];
                        for (field, (text, pos)) in pairs.into_iter().filter_map(|(f, t)| Some((f?.0, t?))) {
                            reads.compared.push((field, text, pos));
                        }
                    }
                }
                _ => {}
            }
            true
        });
        reads
    }
}

/// The property a chain starts with after `form.`: `x` of `form.x`, `form.x.len()`, `form.x[0]`.
fn property(rhs: &Expr) -> Option<(String, Position)> {
    match rhs {
        Expr::Dot(x, ..) | Expr::Index(x, ..) => name(&x.lhs),
        e => name(e),
    }
}

/// The name of a property, `x` of `.x`.
fn name(e: &Expr) -> Option<(String, Position)> {
    match e {
        Expr::Property(p, pos) => Some((p.2.to_string(), *pos)),
        _ => None,
    }
}

fn literal(e: &Expr) -> Option<(String, Position)> {
    match e {
        Expr::StringConstant(text, pos) => Some((text.to_string(), *pos)),
        _ => None,
    }
}

/// A diagnostic at each read of a field `def` does not have, and at each comparison of a
/// field with an option it does not have.
/// `src` is the script `rules` were compiled from, for Rhai's positions as lines and columns.
pub(crate) fn misreads(def: &Definition, rules: &Rules, src: &Source<'_>) -> Vec<Diagnostic> {
    let at = |pos: Position, message: Text| {
        let (line, col) = super::line_col(src, pos);
        Diagnostic::new(src.name, line, col, message)
    };
    let reads = rules.form_reads();
    let missing = reads.fields.into_iter().filter(|(name, _)| def.field(name).is_none());
    let mut found: Vec<Diagnostic> = missing.map(|(name, pos)| at(pos, no_field(&name))).collect();
    for (name, text, pos) in reads.compared {
        if let Some(field) = def.field(&name).filter(|f| f.kind.has_options() && f.option(&text).is_none()) {
            found.push(at(pos, no_option(field, &text)));
        }
    }
    found
}

fn no_field(name: &str) -> Text {
    Text::new(
        format!(
            "规则读取了 form.{name}，但 workflow.toml 中没有字段「{name}」：它的值总是 ()，这条规则不会生效。请检查拼写，或在 workflow.toml 中添加该字段。"
        ),
        format!(
            "the rules read form.{name}, but workflow.toml has no field '{name}': its value is always (), so the rule never takes effect. Check the spelling, or add the field to workflow.toml."
        ),
    )
}

fn no_option(field: &Field, text: &str) -> Text {
    let (id, values) = (&field.id, field.options.iter().map(|o| o.value.as_str()).collect::<Vec<_>>().join(", "));
    Text::new(
        format!(
            "规则把 form.{id} 与「{text}」比较，但「{text}」不是字段「{id}」的选项（可选：{values}）：这个比较的结果永远不变。"
        ),
        format!(
            "the rules compare form.{id} with \"{text}\", which is not an option of field '{id}' (options: {values}): the comparison never changes."
        ),
    )
}

#[cfg(test)]
mod tests {
    use crate::Workflow;
    use crate::definition::Source;

    const SEMINAR: &str = include_str!("../../../tests/fixtures/seminar-room/workflow.toml");

    fn problems(def: &str, rules: &str) -> Vec<String> {
        let loaded =
            Workflow::load(&Source { name: "workflow.toml", text: def }, &Source { name: "rules.rhai", text: rules });
        loaded.err().map(|d| d.0.iter().map(|d| d.to_string()).collect()).unwrap_or_default()
    }

    #[test]
    fn a_rule_reading_a_field_the_form_lacks_is_named_at_its_line() {
        let rules = r#"fn check(f, ctx) {
    let v = verdict();
    if f.expected_visitor > 500 && f["venue"] != () && f.topic.len() > 0 { v.require("safety_plan", "x"); }
    if has_plan(f) || f.attendees > 200 {}
    v
}
fn has_plan(form) { form.safety_plan != () || form.plan_text.len() > 0 }
"#;
        let got = problems(SEMINAR, rules);
        let want = [
            "rules.rhai:3:10: the rules read form.expected_visitor, but workflow.toml has no field 'expected_visitor'",
            "rules.rhai:3:38: the rules read form.venue,",
            "rules.rhai:7:52: the rules read form.plan_text,",
        ];
        assert_eq!(got.len(), want.len(), "{got:#?}");
        for w in want {
            assert!(got.iter().any(|g| g.starts_with(w)), "no {w} in {got:#?}");
        }
    }

    #[test]
    fn a_rule_comparing_a_choice_with_an_option_it_lacks_is_named() {
        let def = include_str!("../../../workflows/kexie-formation/workflow.toml");
        let rules = "fn check(form, ctx) {\n    let v = verdict();\n    if form.organising_mode == \"standlone\" || \"regional\" != form.organising_mode {}\n    v\n}\n";
        let got = problems(def, rules);
        assert_eq!(got.len(), 1, "{got:#?}");
        assert!(
            got[0].starts_with(
                "rules.rhai:3:32: the rules compare form.organising_mode with \"standlone\", which is not an option"
            ),
            "{got:#?}"
        );
    }

    #[test]
    fn rules_reading_only_their_fields_load() {
        let rules = include_str!("../../../tests/fixtures/seminar-room/rules.rhai");
        assert_eq!(problems(SEMINAR, rules), Vec::<String>::new());
    }
}

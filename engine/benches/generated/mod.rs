//! The generated 300-field workflow: a definition, its rules and a filled form, made in
//! code. Used by the engine's bench (`benches/rules.rs`, `mod generated;`) and by
//! `examples/generate_workflow.rs`, which writes it as a workflow folder for the widget's
//! bench (`benches/widget.mjs`).
//!
//! 299 fields (50 text, 50 integer, 50 decimal of which 10 computed, 50 date, 50 select, 49
//! checkbox) plus one table of 5 columns, and 100 rules; the filled form is valid.

use std::fmt::Write as _;

use kexie_engine::fields::Form;
use serde_json::{Value, json};

/// How many fields of each kind (plus one table: 300 in all).
pub const TEXTS: usize = 50;
pub const INTEGERS: usize = 50;
/// The last `COMPUTED` decimals are set by the rules.
pub const DECIMALS: usize = 50;
pub const COMPUTED: usize = 10;
pub const DATES: usize = 50;
pub const SELECTS: usize = 50;
pub const CHECKBOXES: usize = 49;
pub const ROWS: usize = 20;
pub const RULES: usize = 100;
pub const OPTIONS: [&str; 5] = ["opt_a", "opt_b", "opt_c", "opt_d", "opt_e"];

/// `workflow.toml` of the generated workflow.
pub fn generated_toml() -> String {
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
pub fn generated_rules() -> String {
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
pub fn generated_form() -> Form {
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

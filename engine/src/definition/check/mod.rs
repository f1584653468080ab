//! Checking a definition: every problem at once, each with the path it is written at.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::locate::{Path, keys};
use super::model::{ActorSpec, ApprovalMode, Definition, END, FieldKind, Step, StepKind};
use crate::rules::Rules;
use crate::text::Text;

/// A problem found in the typed definition, to be located in the source.
pub(crate) struct Problem {
    pub path: Path,
    pub message: Text,
}

/// Ids of fields and steps that failed to read; references to them are not reported again.
pub(crate) struct Known {
    pub broken_fields: BTreeSet<String>,
    pub broken_steps: BTreeSet<String>,
    /// Where each read field and step stands in its array in the file.
    pub field_pos: Vec<usize>,
    pub step_pos: Vec<usize>,
    pub report_pos: Vec<usize>,
}

mod fields;
mod reports;

struct Checker<'a> {
    def: &'a Definition,
    known: &'a Known,
    problems: Vec<Problem>,
}

/// Checks everything the loader could read.
pub(crate) fn check(def: &Definition, rules: Option<&Rules>, known: &Known) -> Vec<Problem> {
    let mut c = Checker { def, known, problems: Vec::new() };
    c.header();
    let mut ids = BTreeMap::new();
    for (field, &i) in def.fields.iter().zip(&known.field_pos) {
        c.unique(&mut ids, &field.id, keys!["fields", i, "id"], "字段", "field");
        c.field(field, keys!["fields", i], false);
    }
    let mut step_ids = BTreeMap::new();
    for (step, &i) in def.steps.iter().zip(&known.step_pos) {
        c.unique(&mut step_ids, &step.id, keys!["steps", i, "id"], "步骤", "step");
        c.step(i, step, rules);
    }
    c.first_step();
    c.graph();
    let mut report_ids = BTreeMap::new();
    for (report, &i) in def.reports.iter().zip(&known.report_pos) {
        c.unique(&mut report_ids, &report.id, keys!["reports", i, "id"], "统计报表", "report");
        c.report_of(report, keys!["reports", i]);
    }
    c.problems
}

fn is_id(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Checker<'_> {
    fn report(&mut self, path: Path, zh: impl Into<String>, en: impl Into<String>) {
        self.problems.push(Problem { path, message: Text::new(zh, en) });
    }

    fn header(&mut self) {
        let def = self.def;
        let key_ok =
            !def.key.is_empty() && def.key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !key_ok {
            self.report(
                keys!["key"],
                "key 只能由小写字母、数字和 - 组成。",
                "key must be lower-case letters, digits and '-'.",
            );
        }
        if def.version == 0 {
            self.report(
                keys!["version"],
                "version 须为不小于 1 的整数。",
                "version must be a whole number of at least 1.",
            );
        }
        self.text(&Some(def.title.clone()), keys!["title"], true);
        for (i, s) in def.starters.iter().enumerate() {
            if !matches!(ActorSpec::parse(s), Some(ActorSpec::Role(_) | ActorSpec::User(_))) {
                self.report(
                    keys!["starters", i],
                    format!("无法识别的发起人「{s}」：请写 role:角色 或 user:用户。"),
                    format!("unknown starter '{s}': write role:<role> or user:<id>."),
                );
            }
        }
        self.text(&def.description, keys!["description"], false);
        for id in &def.summary {
            match def.field(id) {
                Some(f)
                    if !matches!(
                        f.kind,
                        FieldKind::Table | FieldKind::Attachment | FieldKind::LongText | FieldKind::RichText
                    ) => {}
                Some(_) => self.report(
                    keys!["summary"],
                    format!("summary 只能列出简短的字段（文本、人员、选项、数字、日期），「{id}」不是。"),
                    format!(
                        "summary may list short fields only (text, person, option, number, date); '{id}' is not one."
                    ),
                ),
                None if self.known.broken_fields.contains(id) => {}
                None => self.report(
                    keys!["summary"],
                    format!("summary 指向不存在的字段「{id}」。"),
                    format!("summary names the unknown field '{id}'."),
                ),
            }
        }
        if def.fields.is_empty() && self.known.broken_fields.is_empty() {
            self.report(
                keys![],
                "没有字段：请至少添加一个 [[fields]]。",
                "there are no fields: add at least one [[fields]].",
            );
        }
    }

    /// A bilingual text must have both languages.
    fn text(&mut self, text: &Option<Text>, path: Path, required: bool) {
        match text {
            None if required => self.report(
                path,
                "缺少名称：请写 { zh = \"…\", en = \"…\" }。",
                "the label is missing: write { zh = \"…\", en = \"…\" }.",
            ),
            None => {}
            Some(t) => {
                for (lang, value) in [("zh", &t.zh), ("en", &t.en)] {
                    if value.trim().is_empty() {
                        self.report(
                            path.clone(),
                            format!("缺少 {lang} 文本：中英文都要写。"),
                            format!("the {lang} text is missing: write both zh and en."),
                        );
                    }
                }
            }
        }
    }

    fn unique(&mut self, seen: &mut BTreeMap<String, ()>, id: &str, path: Path, zh: &str, en: &str) {
        if !is_id(id) {
            self.report(
                path.clone(),
                format!("{zh} id「{id}」须以小写字母开头，只含小写字母、数字和 _。"),
                format!("{en} id '{id}' must start with a lower-case letter and hold only a-z, 0-9 and _."),
            );
        }
        if id == END {
            self.report(
                path.clone(),
                "「end」是保留字，表示流程结束，请换一个 id。",
                "'end' is reserved for the end of the workflow: choose another id.",
            );
        }
        if seen.insert(id.to_string(), ()).is_some() {
            self.report(
                path,
                format!("{zh} id「{id}」重复：每个 id 只能用一次。"),
                format!("duplicate {en} id '{id}': each id may be used once."),
            );
        }
    }

    fn field_exists(&self, id: &str) -> bool {
        self.def.field(id).is_some() || self.known.broken_fields.contains(id)
    }

    fn step_exists(&self, id: &str) -> bool {
        id == END || self.def.step(id).is_some() || self.known.broken_steps.contains(id)
    }

    fn step(&mut self, i: usize, s: &Step, rules: Option<&Rules>) {
        let at = |k: &str| keys!["steps", i, k];
        self.text(&s.label, at("label"), true);
        if s.actors.is_empty() {
            self.report(at("actors"), "步骤须有 actors（由谁办理）。", "the step needs actors (who acts here).");
        }
        for (j, a) in s.actors.iter().enumerate() {
            self.actor(a, keys!["steps", i, "actors", j], rules);
        }
        for (j, a) in s.delegates.iter().enumerate() {
            if matches!(ActorSpec::parse(a), Some(ActorSpec::Initiator | ActorSpec::Rules)) {
                self.report(
                    keys!["steps", i, "delegates", j],
                    format!("delegates 只能写 role:角色、user:用户 或 field:人员字段，不能写「{a}」。"),
                    format!("delegates may name role:<role>, user:<id> or field:<person field>, not '{a}'."),
                );
            } else {
                self.actor(a, keys!["steps", i, "delegates", j], rules);
            }
        }
        self.vote(i, s);
        for list in ["editable", "hidden"] {
            let ids = if list == "editable" { &s.editable } else { &s.hidden };
            for (j, id) in ids.iter().enumerate() {
                if !self.field_exists(id) {
                    self.report(
                        keys!["steps", i, list, j],
                        format!("没有 id 为「{id}」的字段。"),
                        format!("there is no field with id '{id}'."),
                    );
                } else if list == "editable"
                    && self.def.field(id).is_some_and(|f| f.computed || f.kind == FieldKind::RichText)
                {
                    self.report(
                        keys!["steps", i, list, j],
                        format!("字段「{id}」由规则计算或只读，不能设为可编辑。"),
                        format!("the field '{id}' is computed or read-only and cannot be editable."),
                    );
                }
            }
        }
        self.writers(i, s, rules);
        for (j, id) in s.hidden.iter().enumerate().filter(|(_, id)| s.can_edit(id)) {
            self.report(
                keys!["steps", i, "hidden", j],
                format!("字段「{id}」不能在同一步骤既可编辑又隐藏。"),
                format!("the field '{id}' cannot be both editable and hidden at one step."),
            );
        }
        if s.next.is_empty() {
            self.report(
                at("next"),
                "步骤没有出口：请写 next = [\"下一步 id\"] 或 next = [\"end\"]。",
                "the step has no way out: write next = [\"<step id>\"] or next = [\"end\"].",
            );
        }
        for (j, n) in s.next.iter().enumerate() {
            if !self.step_exists(n) {
                self.report(
                    keys!["steps", i, "next", j],
                    format!("没有 id 为「{n}」的步骤（结束请写 \"end\"）。"),
                    format!("there is no step with id '{n}' (write \"end\" to finish)."),
                );
            }
        }
        if s.next.len() > 1 && rules.is_some_and(|r| !r.has_route) {
            self.report(
                at("next"),
                "有多个 next 时，rules.rhai 须定义 fn route(form, ctx) 来选择。",
                "with several next steps, rules.rhai must define fn route(form, ctx) to pick one.",
            );
        }
        match (s.kind, s.notice_days) {
            (StepKind::Notice, None) => self.report(
                at("kind"),
                "公示步骤须写 notice_days（公示天数）。",
                "a notice step needs notice_days (how long the publicity lasts).",
            ),
            (StepKind::Notice, Some(_)) | (_, None) => {}
            (_, Some(_)) => self.report(
                at("notice_days"),
                "notice_days 只适用于 kind = \"notice\" 的步骤。",
                "notice_days applies only to steps of kind \"notice\".",
            ),
        }
    }

    /// A field's writers name a field editable here and people; at a countersign or a
    /// vote an editable field needs them, or each assignee would overwrite the others'.
    fn writers(&mut self, i: usize, s: &Step, rules: Option<&Rules>) {
        for (field, specs) in &s.writers {
            let at = |more: Option<usize>| {
                let mut path = keys!["steps", i, "writers", field.as_str()];
                path.extend(more.map(Into::into));
                path
            };
            if !s.can_edit(field) {
                self.report(
                    at(None),
                    format!("writers 中的「{field}」不是本步骤可编辑（editable）的字段。"),
                    format!("'{field}' in writers is not a field editable at this step."),
                );
            }
            for (j, w) in specs.iter().enumerate() {
                if matches!(ActorSpec::parse(w), Some(ActorSpec::Rules)) {
                    self.report(
                        at(Some(j)),
                        "writers 只能写 initiator、role:角色、user:用户 或 field:人员字段，不能写 rules。",
                        "writers may name initiator, role:<role>, user:<id> or field:<person field>, not rules.",
                    );
                } else {
                    self.actor(w, at(Some(j)), rules);
                }
            }
        }
        if matches!(s.mode, ApprovalMode::All | ApprovalMode::Vote) {
            for (j, id) in s.editable.iter().enumerate().filter(|(_, id)| !s.writers.contains_key(*id)) {
                self.report(
                    keys!["steps", i, "editable", j],
                    format!(
                        "会签步骤的每位办理人都会覆盖他人填写的「{id}」：请用 writers = {{ {id} = [\"role:…\"] }} 指定由谁填写（各人的意见写在自己的办理意见中）。"
                    ),
                    format!(
                        "at a countersign every assignee would overwrite the others' '{id}': name who writes it with writers = {{ {id} = [\"role:…\"] }} (each assignee's own opinion is their comment)."
                    ),
                );
            }
        }
    }

    /// A vote is an approval step with a share to pass; a share belongs to a vote.
    fn vote(&mut self, i: usize, s: &Step) {
        let at = |k: &str| keys!["steps", i, k];
        let vote = s.mode == ApprovalMode::Vote;
        if vote && s.kind != StepKind::Approval {
            self.report(
                at("mode"),
                "mode = \"vote\"（比例会签）只适用于 kind = \"approval\" 的步骤。",
                "mode = \"vote\" applies only to steps of kind \"approval\".",
            );
        }
        match (vote, &s.pass) {
            (true, None) => self.report(
                at("mode"),
                "比例会签须写 pass，即须同意的比例，如 pass = \"2/3\"。",
                "a vote needs pass, the share that must agree, e.g. pass = \"2/3\".",
            ),
            (true, Some(p)) if s.pass_share().is_none() => self.report(
                at("pass"),
                format!("pass「{p}」应写成 \"a/b\"，0 < a ≤ b，如 \"2/3\"。"),
                format!("pass '{p}' must be \"a/b\" with 0 < a ≤ b, e.g. \"2/3\"."),
            ),
            (false, Some(_)) => self.report(
                at("pass"),
                "pass 只适用于 mode = \"vote\" 的步骤。",
                "pass applies only to steps with mode = \"vote\".",
            ),
            _ => {}
        }
    }

    fn actor(&mut self, a: &str, path: Path, rules: Option<&Rules>) {
        match ActorSpec::parse(a) {
            None => self.report(
                path,
                format!("无法识别的办理人「{a}」：可用 initiator、role:角色、user:用户、field:人员字段 或 rules。"),
                format!("unknown actor '{a}': use initiator, role:<role>, user:<id>, field:<person field> or rules."),
            ),
            Some(ActorSpec::Field(f)) => match self.def.field(f) {
                Some(field) if field.kind == FieldKind::Person => {}
                Some(_) => {
                    self.report(path, format!("「{f}」不是 person 字段。"), format!("'{f}' is not a person field."))
                }
                None if self.known.broken_fields.contains(f) => {}
                None => {
                    self.report(path, format!("没有 id 为「{f}」的字段。"), format!("there is no field with id '{f}'."))
                }
            },
            Some(ActorSpec::Rules) if rules.is_some_and(|r| !r.has_assignees) => {
                self.report(
                    path,
                    "actors = [\"rules\"] 需要 rules.rhai 定义 fn assignees(form, ctx)。",
                    "actors = [\"rules\"] needs rules.rhai to define fn assignees(form, ctx).",
                );
            }
            Some(_) => {}
        }
    }

    fn first_step(&mut self) {
        let Some(first) = self.def.steps.first() else {
            if self.known.broken_steps.is_empty() {
                self.report(
                    keys![],
                    "没有步骤：请至少添加一个 [[steps]]。",
                    "there are no steps: add at least one [[steps]].",
                );
            }
            return;
        };
        if first.kind != StepKind::Fill || first.actors != ["initiator"] {
            self.report(
                keys!["steps", 0, "kind"],
                "第一步须是发起人填写：kind = \"fill\"，actors = [\"initiator\"]。",
                "the first step must be the initiator's form: kind = \"fill\", actors = [\"initiator\"].",
            );
        }
    }

    /// Every step reachable from the first; from every step, `end` reachable.
    fn graph(&mut self) {
        let steps = &self.def.steps;
        if steps.is_empty() || !self.known.broken_steps.is_empty() {
            return; // a missing step would make every verdict here wrong
        }
        let index: BTreeMap<&str, usize> = steps.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
        let succ = |i: usize| steps[i].next.iter().filter_map(|n| index.get(n.as_str()).copied()).collect::<Vec<_>>();
        let reach = |from: usize| {
            let mut seen = BTreeSet::from([from]);
            let mut queue = VecDeque::from([from]);
            while let Some(i) = queue.pop_front() {
                for j in succ(i) {
                    if seen.insert(j) {
                        queue.push_back(j);
                    }
                }
            }
            seen
        };
        let from_first = reach(0);
        // A reference to a missing step is reported as missing; it does not also make a
        // loop look closed, so it counts as a way out here.
        let exits = |n: &str| n == END || !index.contains_key(n);
        for (i, s) in steps.iter().enumerate() {
            if !from_first.contains(&i) {
                self.report(
                    keys!["steps", i, "id"],
                    format!("步骤「{}」无法到达：请在前面某步的 next 中加入它，或删除它。", s.id),
                    format!("the step '{}' cannot be reached: add it to an earlier step's next, or remove it.", s.id),
                );
            } else if !s.next.is_empty() && !reach(i).iter().any(|&j| steps[j].next.iter().any(|n| exits(n))) {
                self.report(
                    keys!["steps", i, "next"],
                    format!("从步骤「{}」出发永远到不了 end：请为这个循环加一个出口。", s.id),
                    format!("from the step '{}' the workflow can never reach end: give this loop a way out.", s.id),
                );
            }
        }
    }
}

//! The `kexie` command on real folders: the shipped workflows and broken fixtures.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn kexie(args: &[&str]) -> (bool, String) {
    let Output { status, stdout, stderr } =
        Command::new(env!("CARGO_BIN_EXE_kexie")).args(args).current_dir(repo()).output().expect("kexie runs");
    (status.success(), String::from_utf8_lossy(&stdout).into_owned() + &String::from_utf8_lossy(&stderr))
}

#[test]
fn the_shipped_workflows_check_clean() {
    let (ok, out) = kexie(&["check", "workflows"]);
    assert!(ok, "{out}");
    assert!(out.contains("6 workflow(s) checked, 0 with problems"), "{out}");
}

#[test]
fn every_golden_case_passes_and_there_are_enough() {
    let (ok, out) = kexie(&["test", "workflows"]);
    assert!(ok, "{out}");
    let last = out.lines().last().unwrap_or_default();
    let (passed, failed) = last.split_once(" passed, ").expect("ends with N passed, M failed");
    assert_eq!(failed, "0 failed", "{out}");
    assert!(passed.parse::<u32>().unwrap() >= 24, "{last}");
    let four = ["kexie-formation", "annual-plan", "title-evaluation", "major-project"].map(|wf| (wf, 6));
    for (wf, least) in four.into_iter().chain([("work-report", 8), ("commendation", 8)]) {
        let cases = out.lines().filter(|l| l.starts_with("ok") && l.contains(&format!("workflows/{wf}/"))).count();
        assert!(cases >= least, "{wf} has {cases} cases");
    }
}

#[test]
fn a_broken_definition_fails_with_every_located_error() {
    let (ok, out) = kexie(&["--lang", "en", "check", "tests/fixtures/broken"]);
    assert!(!ok, "{out}");
    for want in [
        "tests/fixtures/broken/workflow.toml:7:8: cannot read this: unknown variant `integr`",
        "tests/fixtures/broken/workflow.toml:32:18: there is no field with id 'zz'",
        "tests/fixtures/broken/rules.rhai:1:1: the rule function check must take 2 parameters",
    ] {
        assert!(out.contains(want), "missing {want} in\n{out}");
    }
    let (_, zh) = kexie(&["check", "tests/fixtures/broken"]);
    assert!(zh.contains("没有 id 为「zz」的字段"), "Chinese by default:\n{zh}");
}

#[test]
fn a_failing_case_is_reported_and_fails_the_run() {
    let dir = std::env::temp_dir().join(format!("kexie-cli-{}", std::process::id()));
    let wf = dir.join("seminar-room");
    std::fs::create_dir_all(wf.join("cases")).unwrap();
    let src = repo().join("tests/fixtures/seminar-room");
    for file in ["workflow.toml", "rules.rhai"] {
        std::fs::copy(src.join(file), wf.join(file)).unwrap();
    }
    let case = std::fs::read_to_string(src.join("cases/01-main.toml")).unwrap();
    std::fs::write(wf.join("cases/01-main.toml"), case.replace("status = \"completed\"", "status = \"rejected\""))
        .unwrap();
    let (ok, out) = kexie(&["test", dir.to_str().unwrap()]);
    let (_, english) = kexie(&["--lang", "en", "test", dir.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
    assert!(!ok, "{out}");
    assert!(out.contains("结束时：状态应为「rejected」，实际为「completed」"), "{out}");
    assert!(english.contains("at the end: expected status 'rejected', it is 'completed'"), "{english}");
    assert!(out.trim_end().ends_with("0 passed, 1 failed"), "{out}");
}

#[test]
fn check_names_reads_of_missing_fields_and_case_values_the_form_does_not_have() {
    let dir = scratch("misfits");
    let (wf, src) = (dir.join("seminar-room"), repo().join("tests/fixtures/seminar-room"));
    std::fs::create_dir_all(wf.join("cases")).unwrap();
    std::fs::copy(src.join("workflow.toml"), wf.join("workflow.toml")).unwrap();
    let rules = std::fs::read_to_string(src.join("rules.rhai")).unwrap();
    std::fs::write(wf.join("rules.rhai"), rules.replace("form.attendees > 200", "form.expected_visitor > 500"))
        .unwrap();
    let case = std::fs::read_to_string(src.join("cases/01-main.toml")).unwrap();
    std::fs::write(
        wf.join("cases/01-main.toml"),
        case.replace("attendees = 250", "attendees = 250\nvenue = \"一号厅\""),
    )
    .unwrap();
    let check = |lang: &str| kexie(&["--lang", lang, "check", dir.to_str().unwrap()]);
    let at = |file: &str| format!("{}:", wf.join(file).display());
    let (ok, out) = check("en");
    assert!(!ok, "{out}");
    assert!(out.contains(&format!("{}4:13: the rules read form.expected_visitor", at("rules.rhai"))), "{out}");
    // The cases are checked against the workflow once it loads.
    std::fs::write(wf.join("rules.rhai"), rules).unwrap();
    let ((ok, out), (_, zh)) = (check("en"), check("zh"));
    std::fs::remove_dir_all(&dir).ok();
    assert!(!ok, "{out}");
    let venue = format!("{}13:9: 'venue' is not a field of this workflow", at("cases/01-main.toml"));
    assert!(out.contains(&venue), "{out}");
    assert!(zh.contains("「venue」不是本流程的字段"), "{zh}");
}

#[test]
fn check_warns_of_a_role_nobody_in_the_directory_holds_and_still_passes() {
    let dir = scratch("roles");
    let wf = dir.join("commendation");
    std::fs::create_dir_all(&wf).unwrap();
    let src = repo().join("workflows/commendation");
    let toml = std::fs::read_to_string(src.join("workflow.toml")).unwrap();
    let misspelt = toml.replacen("starters = [\"role:kexie_secretariat\"]", "starters = [\"role:kexie_secretary\"]", 1);
    assert_ne!(toml, misspelt, "the fixture still names its starters so");
    std::fs::write(wf.join("workflow.toml"), &misspelt).unwrap();
    std::fs::copy(src.join("rules.rhai"), wf.join("rules.rhai")).unwrap();
    let line = 1 + misspelt.lines().position(|l| l.starts_with("starters")).unwrap();
    let at = format!("{}:{line}:13: ", wf.join("workflow.toml").display());

    let (ok, out) = kexie(&["--lang", "en", "check", dir.to_str().unwrap()]);
    assert!(ok, "a warning does not fail the check: {out}");
    let demo = "nobody in the demo directory (server/assets/portal/users.toml) holds the role 'kexie_secretary'";
    assert!(
        out.contains(&format!("{at}warning: {demo}, so it names nobody. Did you mean 'kexie_secretariat'?")),
        "{out}"
    );
    assert!(out.contains("1 workflow(s) checked, 0 with problems, 1 warning(s)"), "{out}");
    let (_, zh) = kexie(&["check", dir.to_str().unwrap()]);
    assert!(zh.contains(&format!("{at}警告：演示目录")) && zh.contains("是否指「kexie_secretariat」？"), "{zh}");

    // The host's own directory, as the JSON it syncs: this one has the role.
    let people = dir.join("directory.json");
    std::fs::write(&people, r#"[{"id": "wang", "roles": ["kexie_secretary"]}, {"id": "li", "roles": ["leadership"]}]"#)
        .unwrap();
    let (ok, out) = kexie(&["--lang", "en", "check", wf.to_str().unwrap(), "--directory", people.to_str().unwrap()]);
    assert!(ok, "{out}");
    // Everyone else the workflow names is missing from it.
    assert!(!out.contains("role 'kexie_secretary'"), "{out}");
    assert!(
        out.contains(&format!("nobody in the directory file {} holds the role 'kexie_committee'", people.display())),
        "{out}"
    );
    std::fs::write(&people, r#"[{"id": "wang", "roles": "kexie_secretary"}]"#).unwrap();
    let (ok, out) = kexie(&["check", wf.to_str().unwrap(), "--directory", people.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
    assert!(!ok && out.contains("directory.json: not a directory list"), "{out}");
}

#[test]
fn simulate_prints_each_step() {
    let (ok, out) = kexie(&[
        "--lang",
        "en",
        "simulate",
        "tests/fixtures/seminar-room",
        "--case",
        "tests/fixtures/seminar-room/cases/01-main.toml",
    ]);
    assert!(ok, "{out}");
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].contains("step apply")
            && lines[0].contains("li")
            && lines[0].contains("refused (validation): safety_plan")
    );
    assert!(lines[0].contains("Over 200 attendees needs a safety plan (Opinions, art. 8)"), "{}", lines[0]);
    assert!(lines[1].contains("apply → office [running]"), "{}", lines[1]);
    assert!(lines[2].contains("wang") && lines[2].contains("office → end [completed]"), "{}", lines[2]);
}

#[test]
fn simulate_prints_the_rules_notes_at_each_action() {
    let case = "workflows/kexie-formation/cases/01-main-standalone.toml";
    let (ok, out) = kexie(&["simulate", "workflows/kexie-formation", "--case", case]);
    assert!(ok, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    let submit = lines.iter().position(|l| l.starts_with("[1]")).expect("the first action");
    assert!(lines[submit + 1].starts_with("      提示：各级科协和国资委在活动安排"), "{out}");
    assert!(lines[submit + 1].ends_with("（依据《意见》第（十五）条）"), "{}", lines[submit + 1]);
}

/// A fresh temporary folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kexie-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every file below `dir`, by path relative to it, as bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path).into_iter().map(|(p, b)| (path.strip_prefix(dir).unwrap().join(p), b)));
        } else {
            out.insert(path.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&path).unwrap());
        }
    }
    out
}

#[test]
fn export_then_import_gives_back_every_shipped_workflow_byte_for_byte() {
    let tmp = scratch("transfer");
    for wf in ["kexie-formation", "annual-plan", "title-evaluation", "major-project"] {
        let export = tmp.join(format!("{wf}.kexie.toml"));
        let (ok, out) = kexie(&["export", &format!("workflows/{wf}"), "-o", export.to_str().unwrap()]);
        assert!(ok && out.contains(&format!("exported {wf} (")), "{out}");
        let text = std::fs::read_to_string(&export).unwrap();
        assert!(text.starts_with("format = \"kexie-workflow/1\"\nkey = \"") && text.contains(wf), "{text}");

        let folder = tmp.join(wf);
        let (ok, out) = kexie(&["import", export.to_str().unwrap(), "-o", folder.to_str().unwrap()]);
        assert!(ok, "{out}");
        assert!(out.contains(&format!("kexie check {}", folder.display())), "{out}");
        assert_eq!(files(&folder), files(&repo().join("workflows").join(wf)), "{wf}");
        let (ok, out) = kexie(&["check", folder.to_str().unwrap()]);
        assert!(ok, "{out}");

        // Into a folder that holds something only with --force.
        let (ok, out) = kexie(&["import", export.to_str().unwrap(), "-o", folder.to_str().unwrap()]);
        assert!(!ok && out.contains("not empty"), "{out}");
        let (ok, out) = kexie(&["import", "--force", export.to_str().unwrap(), "-o", folder.to_str().unwrap()]);
        assert!(ok, "{out}");
    }
    // `-o -` writes the same text to standard output.
    let Output { status, stdout, .. } = Command::new(env!("CARGO_BIN_EXE_kexie"))
        .args(["export", "workflows/annual-plan", "-o", "-"])
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(status.success());
    assert_eq!(stdout, std::fs::read(tmp.join("annual-plan.kexie.toml")).unwrap());
    std::fs::remove_dir_all(&tmp).ok();
}

#[test]
fn a_tampered_export_is_refused_at_its_line_and_nothing_is_written() {
    let tmp = scratch("tampered");
    let export = tmp.join("seminar.kexie.toml");
    let (ok, out) = kexie(&["export", "tests/fixtures/seminar-room", "-o", export.to_str().unwrap()]);
    assert!(ok, "{out}");
    let text = std::fs::read_to_string(&export).unwrap();
    let tampered = text.replace("\"cases/01-main.toml\"", "\"cases/../x.toml\"");
    assert_ne!(tampered, text);
    std::fs::write(&export, &tampered).unwrap();
    let line = tampered.lines().position(|l| l.starts_with("\"cases/../x.toml\"")).unwrap() + 1;

    let folder = tmp.join("out");
    let (ok, out) = kexie(&["--lang", "en", "import", export.to_str().unwrap(), "-o", folder.to_str().unwrap()]);
    assert!(!ok, "{out}");
    assert!(out.contains(&format!("{}:{line}:1: 'cases/../x.toml' is not a workflow file", export.display())), "{out}");
    assert!(!folder.exists() && !tmp.join("x.toml").exists(), "nothing is written");
    std::fs::remove_dir_all(&tmp).ok();
}

#[test]
fn a_folder_that_does_not_load_is_not_exported() {
    let tmp = scratch("broken-export");
    let export = tmp.join("broken.kexie.toml");
    let (ok, out) = kexie(&["--lang", "en", "export", "tests/fixtures/broken", "-o", export.to_str().unwrap()]);
    assert!(!ok, "{out}");
    assert!(out.contains("tests/fixtures/broken/workflow.toml:32:18: there is no field with id 'zz'"), "{out}");
    assert!(!export.exists());
    std::fs::remove_dir_all(&tmp).ok();
}

//! The `kexie` command on real folders: the shipped workflows and broken fixtures.

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
    assert!(out.contains("4 workflow(s) checked, 0 with problems"), "{out}");
}

#[test]
fn every_golden_case_passes_and_there_are_enough() {
    let (ok, out) = kexie(&["test", "workflows"]);
    assert!(ok, "{out}");
    let last = out.lines().last().unwrap_or_default();
    let (passed, failed) = last.split_once(" passed, ").expect("ends with N passed, M failed");
    assert_eq!(failed, "0 failed", "{out}");
    assert!(passed.parse::<u32>().unwrap() >= 24, "{last}");
    for wf in ["kexie-formation", "annual-plan", "title-evaluation", "major-project"] {
        let cases = out.lines().filter(|l| l.starts_with("ok") && l.contains(&format!("workflows/{wf}/"))).count();
        assert!(cases >= 6, "{wf} has {cases} cases");
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
    std::fs::remove_dir_all(&dir).ok();
    assert!(!ok, "{out}");
    assert!(out.contains("expected status 'rejected', it is 'completed'"), "{out}");
    assert!(out.trim_end().ends_with("0 passed, 1 failed"), "{out}");
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

//! Versions over real loopback HTTP, as the rule editor uses them: publishing with a change
//! note, the history with its publishers, each version's texts, refusals that say where the
//! problem is, and rolling back by publishing an old version's texts again.

mod support;

use serde_json::{Value, json};
use support::*;

/// An administrator with a real name, as the host OA signs them.
fn admin() -> String {
    token_of("root", "系统管理员", "it", &["admin"])
}

/// The seminar-room fixture under a key of its own, so runs on a shared database (and
/// tests running side by side) never see each other's versions.
fn seminar() -> (String, Value) {
    let key = format!("seminar-{}", uuid::Uuid::new_v4().simple());
    let dir = repo().join("tests/fixtures/seminar-room");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let bundle = json!({
        "workflow_toml": read("workflow.toml").replace("key = \"seminar-room\"", &format!("key = \"{key}\"")),
        "rules_rhai": read("rules.rhai"),
        "cases": { "01-main.toml": read("cases/01-main.toml") },
    });
    (key, bundle)
}

fn publish(server: &Server, token: &str, key: &str, bundle: &Value, note: &str) -> (u16, Value) {
    post(&server.url(&format!("/workflows/{key}/versions")), Some(token), &json!({ "bundle": bundle, "note": note }))
}

/// The bundle with a comment added to its rules: a new version that behaves the same.
fn edited(bundle: &Value, comment: &str) -> Value {
    let mut b = bundle.clone();
    b["rules_rhai"] = json!(format!("{}// {comment}\n", b["rules_rhai"].as_str().unwrap()));
    b
}

#[test]
fn the_history_has_notes_and_publishers_and_each_version_its_texts() {
    for db in own_databases("history") {
        let server = Server::start(&db);
        let (key, v1) = seminar();
        let (status, body) = publish(&server, &admin(), &key, &v1, "  首次发布\n");
        assert_eq!((status, &body), (201, &json!({ "key": key, "version": 1, "created": true })));
        let v2 = edited(&v1, "说明安全预案");
        let (status, body) = publish(&server, &admin(), &key, &v2, "规则加注释");
        assert_eq!((status, body["version"].as_i64()), (201, Some(2)), "{body}");

        let (status, list) = get(&server.url(&format!("/workflows/{key}/versions")), Some(&admin()));
        assert_eq!(status, 200, "{list}");
        let list = list.as_array().unwrap();
        let summary: Vec<_> =
            list.iter().map(|v| (v["version"].as_i64().unwrap(), v["note"].as_str().unwrap())).collect();
        assert_eq!(summary, [(2, "规则加注释"), (1, "首次发布")], "newest first, notes trimmed");
        for v in list {
            assert_eq!(v["published_by"], json!({ "id": "root", "name": "系统管理员" }));
            assert!(v["published_at"].as_str().unwrap().starts_with("20"), "{v}");
            assert_eq!(v["digest"].as_str().unwrap().len(), 64);
        }
        assert_ne!(list[0]["digest"], list[1]["digest"]);
        let (_, latest) = get(&server.url(&format!("/workflows/{key}")), Some(&admin()));
        assert_eq!((latest["version"].as_i64(), latest["note"].as_str()), (Some(2), Some("规则加注释")));

        // The startup loader says which folder it read; a publisher the directory does not
        // know is named by their id.
        let (_, loaded) = get(&server.url("/workflows/annual-plan/versions"), Some(&admin()));
        let by_loader = loaded.as_array().unwrap().iter().find(|v| v["published_by"]["id"] == "kexie serve");
        let by_loader = by_loader.unwrap_or_else(|| panic!("{loaded}"));
        assert_eq!(by_loader["published_by"]["name"], "kexie serve");
        let note = by_loader["note"].as_str().unwrap();
        assert!(note.starts_with("载入自 ") && note.ends_with("annual-plan"), "{note}");

        let (status, got) = get(&server.url(&format!("/workflows/{key}/versions/1/bundle")), Some(&admin()));
        assert_eq!(status, 200, "{got}");
        assert_eq!(got["bundle"], v1, "the exact texts, cases included");
        assert_eq!((got["key"].as_str(), got["version"].as_i64()), (Some(key.as_str()), Some(1)));
        assert_eq!((got["note"].as_str(), &got["published_by"]["name"]), (Some("首次发布"), &json!("系统管理员")));
        let (status, got) = get(&server.url("/workflows/annual-plan/versions/1/bundle"), Some(&admin()));
        assert_eq!(status, 200);
        let people = std::fs::read_to_string(repo().join("workflows/annual-plan/cases/_people.toml")).unwrap();
        assert_eq!(got["bundle"]["cases"]["_people.toml"], json!(people), "the shared people too");

        let (status, body) = get(&server.url(&format!("/workflows/{key}/versions/9/bundle")), Some(&admin()));
        assert_eq!((status, code(&body)), (404, "not_found"), "{body}");
        let (status, body) = get(&server.url("/workflows/no-such-workflow/versions"), Some(&admin()));
        assert_eq!((status, code(&body)), (404, "not_found"), "{body}");
    }
}

#[test]
fn only_administrators_publish_or_read_versions() {
    for db in own_databases("versions-admin") {
        let server = Server::start(&db);
        let (key, bundle) = seminar();
        assert_eq!(publish(&server, &admin(), &key, &bundle, "首次发布").0, 201);
        let li = token_of("li", "李明", "tech-center", &["applicant"]);
        let (status, body) = publish(&server, &li, &key, &edited(&bundle, "越权"), "越权修改");
        assert_eq!((status, code(&body)), (403, "forbidden"), "{body}");
        for path in [format!("/workflows/{key}/versions"), format!("/workflows/{key}/versions/1/bundle")] {
            let (status, body) = get(&server.url(&path), Some(&li));
            assert_eq!((status, code(&body)), (403, "forbidden"), "{path}: {body}");
        }
        let (_, list) = get(&server.url(&format!("/workflows/{key}/versions")), Some(&admin()));
        assert_eq!(list.as_array().unwrap().len(), 1, "nothing was published: {list}");
    }
}

#[test]
fn a_change_needs_a_note_of_at_most_500_characters() {
    for db in own_databases("versions-note") {
        let server = Server::start(&db);
        let (key, bundle) = seminar();
        let url = server.url(&format!("/workflows/{key}/versions"));
        let changed = edited(&bundle, "改动");
        let refusals = [
            json!({ "bundle": changed }),
            json!({ "bundle": changed, "note": "" }),
            json!({ "bundle": changed, "note": " \n\t " }),
            json!({ "bundle": changed, "note": "长".repeat(501) }),
        ];
        for body in refusals {
            let (status, resp) = post(&url, Some(&admin()), &body);
            assert_eq!(
                (status, code(&resp), resp["error"]["field"].as_str()),
                (400, "bad_request", Some("note")),
                "{resp}"
            );
        }
        let (status, resp) = post(&url, Some(&admin()), &json!({ "bundle": changed, "note": "x", "reason": "y" }));
        assert_eq!((status, code(&resp)), (400, "bad_request"), "unknown fields are refused: {resp}");
        let (status, resp) = publish(&server, &admin(), &key, &changed, &"长".repeat(500));
        assert_eq!((status, resp["version"].as_i64()), (201, Some(1)), "500 characters are enough: {resp}");
        let (status, resp) = publish(&server, &admin(), &key, &changed, "再发一次");
        assert_eq!((status, &resp), (200, &json!({ "key": key, "version": 1, "created": false })));
    }
}

#[test]
fn an_invalid_bundle_is_refused_with_each_problem_located_and_the_failed_cases() {
    for db in own_databases("versions-invalid") {
        let server = Server::start(&db);
        let (key, bundle) = seminar();
        // A Rhai syntax error on the third line of the rules.
        let mut broken = bundle.clone();
        broken["rules_rhai"] = json!("fn check(form, ctx) {\n    let v = verdict();\n    let limit = ;\n    v\n}\n");
        let (status, body) = publish(&server, &admin(), &key, &broken, "坏的规则");
        assert_eq!((status, code(&body)), (422, "definition_invalid"), "{body}");
        let details = &body["error"]["details"];
        let diagnostic = &details["diagnostics"][0];
        assert_eq!((diagnostic["file"].as_str(), diagnostic["line"].as_u64()), (Some("rules.rhai"), Some(3)), "{body}");
        assert!(diagnostic["col"].as_u64().unwrap() > 1, "{body}");
        assert!(!diagnostic["message"]["zh"].as_str().unwrap().is_empty(), "{body}");
        assert!(details["problems"][0].as_str().unwrap().starts_with("rules.rhai:3:"), "{body}");
        assert_eq!(details["cases"], json!([]), "{body}");

        // A case whose expectation no longer holds, beside one that passes: only the failure
        // is listed.
        let mut failing = bundle.clone();
        let case = bundle["cases"]["01-main.toml"].as_str().unwrap();
        failing["cases"]["02-wrong.toml"] = json!(case.replace("status = \"completed\"", "status = \"rejected\""));
        let (status, body) = publish(&server, &admin(), &key, &failing, "错的案例");
        assert_eq!((status, code(&body)), (422, "definition_invalid"), "{body}");
        let details = &body["error"]["details"];
        assert_eq!(details["diagnostics"], json!([]), "{body}");
        let cases = details["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 1, "{body}");
        assert_eq!(cases[0]["file"], "cases/02-wrong.toml");
        assert_eq!(cases[0]["name"], "Main route: 250 attendees with a safety plan");
        assert!(cases[0]["failures"][0].as_str().unwrap().contains("expected status 'rejected'"), "{body}");
        assert!(details["problems"][0].as_str().unwrap().starts_with("cases/02-wrong.toml: "), "{body}");

        let (status, _) = get(&server.url(&format!("/workflows/{key}")), Some(&admin()));
        assert_eq!(status, 404, "nothing was published");
    }
}

#[test]
fn a_role_nobody_in_the_directory_holds_is_refused_once_the_host_has_synced_it() {
    for db in own_databases("versions-roles") {
        let server = Server::start(&db);
        let (key, bundle) = seminar();
        let mut misspelt = bundle.clone();
        misspelt["workflow_toml"] =
            json!(bundle["workflow_toml"].as_str().unwrap().replace("role:office", "role:ofice"));
        // Its case would fail on the role too (nobody to assign): the directory is the point.
        misspelt["cases"] = json!({});
        // Only the administrator has signed in: the host has not synced the directory, so
        // there is nothing to check the role against.
        let (status, body) = publish(&server, &admin(), &key, &misspelt, "未同步目录");
        assert_eq!(status, 201, "{body}");
        sync_directory(&server, &[("wang", &["office"])]);
        let (status, body) = publish(&server, &admin(), &key, &edited(&misspelt, "再改"), "拼错的角色");
        assert_eq!((status, code(&body)), (422, "definition_invalid"), "{body}");
        let d = &body["error"]["details"]["diagnostics"][0];
        let line =
            1 + misspelt["workflow_toml"].as_str().unwrap().lines().position(|l| l.contains("role:ofice")).unwrap();
        assert_eq!((d["file"].as_str(), d["line"].as_u64()), (Some("workflow.toml"), Some(line as u64)), "{body}");
        assert!(d["message"]["zh"].as_str().unwrap().contains("服务器的人员目录中没有人担任角色「ofice」"), "{body}");
        assert!(d["message"]["en"].as_str().unwrap().ends_with("Did you mean 'office'?"), "{body}");
        assert_eq!(d.get("severity"), None, "an error, as every diagnostic is unless it says otherwise");
        let (status, body) = publish(&server, &admin(), &key, &edited(&bundle, "改正"), "改正角色");
        assert_eq!((status, body["version"].as_i64()), (201, Some(2)), "{body}");
    }
}

#[test]
fn publishing_an_old_version_again_rolls_back_and_running_instances_stay_on_theirs() {
    for db in own_databases("rollback") {
        let server = Server::start(&db);
        let (key, v1) = seminar();
        assert_eq!(publish(&server, &admin(), &key, &v1, "首次发布").0, 201);
        let v2 = edited(&v1, "第二版");
        assert_eq!(publish(&server, &admin(), &key, &v2, "第二版").0, 201);
        sync_directory(&server, &[("wang", &["office"])]);
        let li = token_of("li", "李雷", "office", &["staff"]);
        let form = json!({ "topic": "新材料研讨", "attendees": 250, "safety_plan": "两名安全员值守" });
        let (status, started) = post(&server.url("/instances"), Some(&li), &json!({ "workflow": key, "form": form }));
        assert_eq!((status, started["version"].as_u64()), (201, Some(2)), "{started}");
        let id = started["id"].as_str().unwrap();

        // The rule editor rolls back: it reads version 1 and publishes its texts again.
        let (_, old) = get(&server.url(&format!("/workflows/{key}/versions/1/bundle")), Some(&admin()));
        let (status, body) = publish(&server, &admin(), &key, &old["bundle"], "回滚到第 1 版");
        assert_eq!((status, &body), (201, &json!({ "key": key, "version": 3, "created": true })));
        let (_, v3) = get(&server.url(&format!("/workflows/{key}/versions/3/bundle")), Some(&admin()));
        assert_eq!(v3["bundle"], v1, "version 3 has version 1's texts");
        let (_, list) = get(&server.url(&format!("/workflows/{key}/versions")), Some(&admin()));
        assert_eq!(list[0]["digest"], list[2]["digest"], "{list}");
        let (_, latest) = get(&server.url(&format!("/workflows/{key}")), Some(&li));
        assert_eq!(latest["version"].as_i64(), Some(3));

        // The instance started on version 2 stays there, and goes on under its rules.
        let (status, view) = act(&server, &li, id, 1, json!({ "action": "submit" }));
        assert_eq!((status, view["version"].as_u64(), view["step"].as_str()), (200, Some(2), Some("office")), "{view}");
        let (_, view) = get(&server.url(&format!("/instances/{id}")), Some(&li));
        assert_eq!(view["version"].as_u64(), Some(2));
    }
}

/// Writes a bundle's texts as a workflow folder.
fn write_folder(dir: &std::path::Path, bundle: &Value) {
    std::fs::create_dir_all(dir.join("cases")).unwrap();
    std::fs::write(dir.join("workflow.toml"), bundle["workflow_toml"].as_str().unwrap()).unwrap();
    std::fs::write(dir.join("rules.rhai"), bundle["rules_rhai"].as_str().unwrap()).unwrap();
    for (name, text) in bundle["cases"].as_object().unwrap() {
        std::fs::write(dir.join("cases").join(name), text.as_str().unwrap()).unwrap();
    }
}

/// The history as (version, publisher's id, note), newest first.
fn history(server: &Server, key: &str) -> Vec<(i64, String, String)> {
    let (status, list) = get(&server.url(&format!("/workflows/{key}/versions")), Some(&admin()));
    assert_eq!(status, 200, "{list}");
    let entry = |v: &Value| {
        let text = |x: &Value| x.as_str().unwrap().to_string();
        (v["version"].as_i64().unwrap(), text(&v["published_by"]["id"]), text(&v["note"]))
    };
    list.as_array().unwrap().iter().map(entry).collect()
}

#[test]
fn a_restart_keeps_what_the_rule_editor_published_until_the_folder_changes() {
    for (n, db) in own_databases("loader").into_iter().enumerate() {
        let (key, v1) = seminar();
        let root = std::env::temp_dir().join(format!("kexie-loader-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let folder = root.join("seminar-room");
        write_folder(&folder, &v1);
        let mut server = Server::start_logged(&db, &folder, &root.join("serve.log"));
        let loaded = format!("载入自 {}", folder.display());
        assert_eq!(history(&server, &key), [(1, "kexie serve".into(), loaded.clone())]);

        // An administrator changes the rules in the browser; restarts leave that alone.
        let v2 = edited(&v1, "管理员在浏览器里改的");
        let (status, body) = publish(&server, &admin(), &key, &v2, "规则编辑器：加注释");
        assert_eq!((status, body["version"].as_i64()), (201, Some(2)), "{body}");
        for _ in 0..2 {
            server.kill_and_restart();
            assert_eq!(history(&server, &key)[0], (2, "root".into(), "规则编辑器：加注释".into()), "no new version");
            assert_eq!(history(&server, &key).len(), 2);
            let (_, latest) = get(&server.url(&format!("/workflows/{key}")), Some(&admin()));
            assert_eq!(latest["version"].as_i64(), Some(2), "{latest}");
            let log = server.log();
            assert!(log.contains(&format!("{key}: kept version 2 by root; the folder is unchanged")), "{log}");
        }

        // An operator edits the folder on disk: it is published, over the administrator's.
        let v3 = edited(&v1, "运维在磁盘上改的");
        write_folder(&folder, &v3);
        server.kill_and_restart();
        assert_eq!(history(&server, &key)[0], (3, "kexie serve".into(), loaded.clone()));
        let (_, got) = get(&server.url(&format!("/workflows/{key}/versions/3/bundle")), Some(&admin()));
        assert_eq!(got["bundle"], v3, "the folder's texts");
        let log = server.log();
        assert!(
            log.contains(&format!("published {key} version 3: the folder changed; it supersedes version 2 by root"))
        );
        server.kill_and_restart();
        assert_eq!(history(&server, &key).len(), 3, "unchanged since");
        assert!(server.log().contains(&format!("{key} version 3 unchanged")));

        // A folder brought in line with a version published since (its texts copied from the
        // history) is not published again over a newer one.
        let v4 = edited(&v1, "第四版");
        assert_eq!(publish(&server, &admin(), &key, &v4, "第四版").0, 201);
        assert_eq!(publish(&server, &admin(), &key, &edited(&v1, "第五版"), "第五版").0, 201);
        write_folder(&folder, &v4);
        server.kill_and_restart();
        assert_eq!(history(&server, &key)[0], (5, "root".into(), "第五版".into()));
        assert_eq!(history(&server, &key).len(), 5);
        assert!(server.log().contains(&format!("{key}: kept version 5 by root; the folder is unchanged (version 4's")));
        drop(server);
        let _ = std::fs::remove_dir_all(&root);
    }
}

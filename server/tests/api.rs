//! The API over real loopback HTTP, against SQLite and (in scripts/test.sh) PostgreSQL.

mod support;

use kexie_engine::instance::{ActionKind, Moment};
use serde_json::{Value, json};
use support::*;

#[test]
fn the_main_route_of_every_shipped_workflow_runs_through_the_api() {
    for db in databases("main-routes") {
        let server = Server::start(&db);
        for (workflow, file) in [
            ("kexie-formation", "01-main-standalone.toml"),
            ("annual-plan", "01-main-countersign.toml"),
            ("major-project", "01-main-route-above-threshold.toml"),
            ("title-evaluation", "01-main-pass.toml"),
        ] {
            let (view, stopped_at) = replay(&server, workflow, file);
            match stopped_at {
                None => {
                    assert_eq!(view["status"], "completed", "{db} {workflow}: {view}");
                    assert_eq!((&view["step_kind"], &view["return_to"]), (&Value::Null, &json!([])), "{view}");
                }
                // The publicity lasts five real days: the replay stops at it, waiting.
                Some(action) => {
                    assert_eq!(
                        (workflow, view["step"].as_str(), action),
                        ("title-evaluation", Some("publicity"), ActionKind::Approve)
                    );
                    assert!(
                        !view["actions"].as_array().unwrap().iter().any(|a| a == "approve"),
                        "closing too early is not offered"
                    );
                }
            }
            let id = view["id"].as_str().unwrap();
            let (status, audit) =
                get(&server.url(&format!("/instances/{id}/audit")), Some(&token("admin", &["admin"])));
            assert_eq!(status, 200);
            assert!(audit.as_array().unwrap().len() >= 4, "{audit}");
            // The people the form's person fields name are named, in tables too.
            let named = match workflow {
                "title-evaluation" => vec![view["form"]["candidate"].clone()],
                "annual-plan" => view["form"]["items"].as_array().unwrap().iter().map(|r| r["owner"].clone()).collect(),
                _ => Vec::new(),
            };
            for who in named {
                assert!(view["names"][who.as_str().unwrap()].is_string(), "{workflow}: {who} in {}", view["names"]);
            }
        }
    }
}

/// `GET /instances/{id}/print` as text, with its status and content type and CSP.
fn print(server: &Server, id: &str, token: &str, query: &str) -> (u16, String, String, String) {
    let mut resp = agent()
        .get(&server.url(&format!("/instances/{id}/print{query}")))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let (kind, csp) = (header("content-type"), header("content-security-policy"));
    (resp.status().as_u16(), kind, csp, resp.body_mut().read_to_string().unwrap())
}

#[test]
fn a_printed_record_shows_what_its_reader_may_see_escaped_and_runs_nothing() {
    for db in databases("print") {
        let server = Server::start(&db);
        sync_directory(&server, FORMATION_PEOPLE);
        let (id, _) = submitted_formation(&server);
        let zhou = formation_token("zhou");
        let (status, _) = act(
            &server,
            &zhou,
            &id,
            2,
            json!({ "action": "approve", "changes": { "party_opinion": "同意<b>组建</b>。" } }),
        );
        assert_eq!(status, 200);
        for who in ["li", "zhou"] {
            let tok = formation_token(who);
            let (status, kind, csp, page) = print(&server, &id, &tok, "");
            assert_eq!((status, kind.as_str()), (200, "text/html; charset=utf-8"), "{db}: {page}");
            assert!(csp.starts_with("default-src 'none'; style-src 'sha256-"), "no script may run: {csp}");
            assert!(page.contains("科协组建审批单") && page.contains("中化新材料研究院有限公司"), "{page}");
            assert!(
                page.contains("同意&lt;b&gt;组建&lt;/b&gt;。") && !page.contains("<b>组建"),
                "an opinion is text, not HTML"
            );
            let (_, view) = get(&server.url(&format!("/instances/{id}")), Some(&tok));
            let hidden = view["hidden"].as_array().unwrap();
            assert!(hidden.contains(&json!("sasac_opinion")), "the later steps' opinions are hidden: {view}");
            for hidden in hidden {
                assert!(!page.contains(&format!("data-field=\"{}\"", hidden.as_str().unwrap())), "{who} sees {hidden}");
            }
            let (_, audit) = get(&server.url(&format!("/instances/{id}/audit")), Some(&tok));
            let head = audit.as_array().unwrap().last().unwrap()["hash"].as_str().unwrap().to_string();
            assert!(page.contains(&head), "the audit chain's head is printed");
        }
        let (status, _, _, page) = print(&server, &id, &formation_token("li"), "?lang=en");
        assert_eq!(status, 200);
        assert!(page.contains("approval record") && page.contains("Decisions"), "{page}");
        let (status, _, _, page) = print(&server, &id, &formation_token("li"), "?lang=fr");
        assert_eq!(status, 400, "{page}");
    }
}

#[test]
fn the_openapi_document_describes_the_api() {
    let db = &databases("openapi")[0];
    let server = Server::start(db);
    let (status, doc) = get(&server.url("/openapi.json"), None);
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = ["/api/v1/workflows", "/api/v1/instances/{id}/actions", "/api/v1/tasks", "/api/v1/attachments"];
    for path in paths.into_iter().chain(["/api/v1/me", "/api/v1/directory"]) {
        assert!(doc["paths"].get(path).is_some(), "missing {path}");
    }
}

#[test]
fn me_is_the_verified_caller() {
    let db = &databases("me")[0];
    let server = Server::start(db);
    let (status, me) = get(&server.url("/me"), Some(&token_of("li", "李明", "tech-center", &["applicant"])));
    assert_eq!(status, 200);
    assert_eq!(
        me,
        json!({ "id": "li", "name": "李明", "department": "tech-center", "roles": ["applicant"], "admin": false })
    );
    let (_, me) = get(&server.url("/me"), Some(&token("boss", &["admin"])));
    assert_eq!(me, json!({ "id": "boss", "name": "BOSS", "department": null, "roles": ["admin"], "admin": true }));
    let (status, body) = get(&server.url("/me"), None);
    assert_eq!((status, code(&body)), (401, "unauthorized"));
}

#[test]
fn the_directory_is_searched_by_id_name_and_department() {
    let db = &databases("directory-search")[0];
    let server = Server::start(db);
    let people = json!([
        { "id": "zhou", "name": "周建国", "department": "party-committee", "roles": ["party_org"] },
        { "id": "wu", "name": "吴海涛", "department": "leadership", "roles": ["leadership"] },
        { "id": "zheng", "name": "郑丽华", "department": "leadership", "roles": ["leadership"] },
        { "id": "chen", "name": "陈思远", "department": "tech-center" },
        { "id": "ann", "name": "Ann Lee", "department": "Research-Lab" },
    ]);
    let (status, body) = post(&server.url("/directory"), Some(&token("admin", &["admin"])), &people);
    assert_eq!(status, 200, "{body}");
    let me = token("li", &["applicant"]);
    let search = |query: &str| get(&server.url(&format!("/directory{query}")), Some(&me));
    let ids = |page: &Value| -> Vec<String> {
        page["people"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_string()).collect()
    };

    let (status, page) = search("?q=LEAD");
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        page,
        json!({
            "people": [
                { "id": "wu", "name": "吴海涛", "department": "leadership" },
                { "id": "zheng", "name": "郑丽华", "department": "leadership" },
            ],
            "departments": ["leadership"],
        }),
        "case-insensitive, by name, no roles"
    );
    assert_eq!(ids(&search("?q=ann").1), ["ann"], "by id and name");
    assert_eq!(search("?q=%E9%99%88").1["people"][0]["id"], "chen", "by a Chinese name (陈)");
    assert_eq!(search("?q=research").1["departments"], json!(["Research-Lab"]));
    let (_, page) = search("?ids=zhou,%20chen,nobody");
    assert_eq!(ids(&page), ["zhou", "chen"], "exact ids, by name (周 before 陈)");
    assert_eq!(page["departments"], json!(["party-committee", "tech-center"]));
    assert_eq!(ids(&search("?ids=zhou,chen&q=tech").1), ["chen"], "both narrow");
    // Everybody, including the admin and li learned from their tokens, in name order
    // (code points: 吴 U+5434, 周 U+5468, 郑 U+90D1, 陈 U+9648).
    let (_, all) = search("");
    assert_eq!(ids(&all), ["admin", "ann", "li", "wu", "zhou", "zheng", "chen"]);
    assert_eq!(all["departments"].as_array().unwrap().len(), 4);
    assert_eq!(ids(&search("?limit=2").1), ["admin", "ann"]);
    assert_eq!(search("?limit=200").0, 200);

    assert_eq!(ids(&search("?role=leadership").1), ["wu", "zheng"], "a person field limited to a role");
    assert_eq!(ids(&search("?role=leadership&q=%E9%83%91").1), ["zheng"], "and a name (郑)");
    // 周建国 leaves: the host syncs him with no roles. He is assigned and offered nothing
    // by role, and still named by his last known name wherever he appears.
    let left = json!([{ "id": "zhou", "name": "周建国", "department": "party-committee", "roles": [] }]);
    assert_eq!(post(&server.url("/directory"), Some(&token("admin", &["admin"])), &left).0, 200);
    assert!(ids(&search("?role=party_org").1).is_empty());
    assert_eq!(search("?ids=zhou").1["people"][0]["name"], "周建国");

    for bad in ["?limit=0", "?limit=201", "?limit=many", "?rank=1"] {
        let (status, body) = search(bad);
        assert_eq!((status, code(&body)), (400, "bad_request"), "{bad}: {body}");
        assert!(!body["error"]["message"]["zh"].as_str().unwrap().is_empty(), "{bad}");
    }
    let (status, _) = get(&server.url("/directory"), None);
    assert_eq!(status, 401);
}

/// tests/fixtures/notice: the editor's preview shows this step alike
/// (editor/src/preview.rs, `the_preview_shows_a_notice_step_as_the_server_does`).
#[test]
fn a_notice_step_hides_its_fields_notes_and_says_when_it_may_close() {
    let db = &databases("notice-view")[0];
    let server = Server::start_with(db, &repo().join("tests/fixtures/notice"));
    let zhao = token_of("zhao", "赵敏", "hr", &["hr"]);
    let form = json!({ "result": "张三 晋升高级工程师", "ballot": "7 票赞成，0 票反对" });
    let (status, view) = post(&server.url("/instances"), Some(&zhao), &json!({ "workflow": "notice", "form": form }));
    assert_eq!(status, 201, "{view}");
    let id = view["id"].as_str().unwrap().to_string();
    let (status, submitted) = act(&server, &zhao, &id, 1, json!({ "action": "submit" }));
    assert_eq!(status, 200, "{submitted}");
    let (_, view) = get(&server.url(&format!("/instances/{id}")), Some(&zhao));
    assert_eq!(view, submitted, "the submit answers with the view a read gives");
    assert_eq!((view["step"].as_str(), view["step_kind"].as_str()), (Some("publicity"), Some("notice")));
    assert_eq!(view["hidden"], json!(["ballot"]));
    assert_eq!(view["form"], json!({ "result": "张三 晋升高级工程师" }));
    assert_eq!(view["notes"][0]["en"], "Record any objection raised during the notice as a comment");
    assert_eq!(view["notes"].as_array().map(Vec::len), Some(1));
    let (_, audit) = get(&server.url(&format!("/instances/{id}/audit")), Some(&zhao));
    let submitted_at = audit.as_array().unwrap().last().unwrap()["event"]["at"].as_str().unwrap().to_string();
    let until = Moment::parse(&submitted_at).unwrap().plus_days(3).to_string();
    assert_eq!(view["notice_until"], json!(until));
    assert!(!view["actions"].as_array().unwrap().iter().any(|a| a == "approve"), "not before {until}: {view}");
}

#[test]
fn the_instance_view_says_the_step_kind_the_initiator_names_and_return_targets() {
    let db = &databases("view-fields")[0];
    let server = Server::start(db);
    sync_directory(&server, FORMATION_PEOPLE);
    let li = token_of("li", "李明", "tech-center", &["applicant"]);
    let (status, view) = post(
        &server.url("/instances"),
        Some(&li),
        &json!({ "workflow": "kexie-formation", "form": formation_form_of(&server, &li) }),
    );
    assert_eq!(status, 201, "{view}");
    let id = view["id"].as_str().unwrap().to_string();
    assert_eq!(view["step_kind"], "fill");
    assert_eq!(
        view["initiator"],
        json!({ "id": "li", "name": "李明", "department": "tech-center", "roles": ["applicant"] }),
        "the actor the rules see as ctx.initiator"
    );
    assert_eq!(view["return_to"], json!([]), "the first step returns nowhere");
    assert_eq!(view["names"], json!({ "li": "李明" }));

    let (_, view) = act(&server, &li, &id, 1, json!({ "action": "cc", "users": ["chen"] }));
    let (status, view) = act(&server, &li, &id, view["revision"].as_u64().unwrap(), json!({ "action": "submit" }));
    assert_eq!((status, view["step"].as_str(), view["step_kind"].as_str()), (200, Some("party"), Some("approval")));
    assert_eq!(view["return_to"], json!([]), "li may not return it: not li's step");
    assert_eq!(view["names"], json!({ "chen": "CHEN", "li": "李明", "zhou": "ZHOU" }));

    let (_, def) = get(&server.url("/workflows/kexie-formation"), Some(&li));
    let label = |step: &str| {
        def["definition"]["steps"].as_array().unwrap().iter().find(|s| s["id"] == step).unwrap()["label"].clone()
    };
    let (_, view) = get(&server.url(&format!("/instances/{id}")), Some(&formation_token("zhou")));
    assert!(view["actions"].as_array().unwrap().iter().any(|a| a == "return"), "{view}");
    assert_eq!(view["return_to"], json!([{ "id": "apply", "label": label("apply") }]));
    assert!(label("apply")["zh"].is_string());

    let rev = view["revision"].as_u64().unwrap();
    let (status, view) = act(
        &server,
        &formation_token("zhou"),
        &id,
        rev,
        json!({ "action": "approve", "changes": { "party_opinion": "同意" } }),
    );
    assert_eq!((status, view["step"].as_str()), (200, Some("leadership")), "{view}");
    assert_eq!(view["return_to"], json!([]), "zhou is done here");
    let (_, view) = get(&server.url(&format!("/instances/{id}")), Some(&formation_token("wu")));
    let targets: Vec<&str> = view["return_to"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(targets, ["apply", "party"]);
    let mut waiting: Vec<&str> = view["waiting_for"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
    waiting.sort();
    assert_eq!(waiting, ["wu", "zheng"]);
    for who in ["li", "chen", "zhou", "wu", "zheng"] {
        assert!(view["names"][who].is_string(), "{who}: {}", view["names"]);
    }
    // Work lists keep their rows short: the initiator by id and name.
    let (_, started) = get(&server.url("/started"), Some(&li));
    assert_eq!(started["items"][0]["initiator"], json!({ "id": "li", "name": "李明" }));
}

//! Reports over real loopback HTTP, on SQLite and (in scripts/test.sh) PostgreSQL: each
//! reader counts the instances that reached them, the figures are the instances behind
//! them, an applicant is refused, and instances written before the index are indexed.

mod support;

use serde_json::{Value, json};
use support::*;

/// li applies three times (180, 200 and 150 S&T staff; the last in 江苏省苏州市); the first
/// reaches leadership, the third the upper-level 科协 (sun). Returns their ids.
fn three_formations(server: &Server) -> Vec<String> {
    sync_directory(server, FORMATION_PEOPLE);
    let li = formation_token("li");
    let mut ids = Vec::new();
    for (staff, region) in [(180, "江苏省南京市"), (200, "江苏省南京市"), (150, "江苏省苏州市")] {
        let mut form = formation_form_of(server, &li);
        form["st_staff_count"] = json!(staff);
        form["region"] = json!(region);
        let (status, view) =
            post(&server.url("/instances"), Some(&li), &json!({ "workflow": "kexie-formation", "form": form }));
        assert_eq!(status, 201, "{view}");
        let id = view["id"].as_str().unwrap().to_string();
        let (status, view) = act(server, &li, &id, 1, json!({ "action": "submit" }));
        assert_eq!(status, 200, "{view}");
        ids.push(id);
    }
    let approve = |who: &str, id: &str, revision: u64, field: &str| {
        let changes = json!({ field: "同意。" });
        let (status, view) =
            act(server, &formation_token(who), id, revision, json!({ "action": "approve", "changes": changes }));
        assert_eq!(status, 200, "{view}");
    };
    approve("zhou", &ids[0], 2, "party_opinion");
    approve("zhou", &ids[2], 2, "party_opinion");
    approve("wu", &ids[2], 3, "leadership_opinion");
    ids
}

fn report(server: &Server, who: &str, path: &str) -> (u16, Value) {
    let tok = if who == "admin" { token("admin", &["admin"]) } else { formation_token(who) };
    get(&server.url(&format!("/reports/kexie-formation/{path}")), Some(&tok))
}

/// The rows as (keys' values, figures).
fn rows(table: &Value) -> Vec<(Vec<Value>, Vec<Value>)> {
    table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["keys"].as_array().unwrap().iter().map(|k| k["value"].clone()).collect(),
                r["values"].as_array().unwrap().clone(),
            )
        })
        .collect()
}

#[test]
fn each_reader_counts_what_reached_them_and_a_figure_opens_its_instances() {
    for db in own_databases("reports") {
        let server = Server::start(&db);
        let ids = three_formations(&server);

        let (status, table) = report(&server, "admin", "by_mode");
        assert_eq!(status, 200, "{db}: {table}");
        assert_eq!(rows(&table), vec![(vec![json!("standalone")], vec![json!(3.0), json!(530.0)])], "{table}");
        assert_eq!(table["rows"][0]["keys"][0]["label"]["zh"], "单独组建");
        assert_eq!(table["columns"][2]["label"]["zh"], "科技人员总数合计");
        assert_eq!(table["total"], 3);

        // The upper-level 科协 counts the one application that reached it.
        let (status, table) = report(&server, "sun", "by_mode");
        assert_eq!((status, rows(&table)), (200, vec![(vec![json!("standalone")], vec![json!(1.0), json!(150.0)])]));
        let (status, page) = report(&server, "sun", "by_mode/instances?key=standalone");
        assert_eq!((status, &page["total"]), (200, &json!(1)), "{page}");
        assert_eq!(page["items"][0]["id"], json!(ids[2]));
        assert_eq!(page["items"][0]["summary"]["zh"], "中化新材料研究院有限公司");

        // An applicant, and anybody whom no report names, is refused.
        for who in ["li", "chen"] {
            let (status, body) = report(&server, who, "by_mode");
            assert_eq!((status, code(&body)), (403, "forbidden"), "{who}: {body}");
            let (status, body) = report(&server, who, "by_mode/instances?key=standalone");
            assert_eq!(status, 403, "{who}: {body}");
        }
        let (_, mine) = get(&server.url("/reports"), Some(&formation_token("li")));
        assert_eq!(mine, json!([]), "li may open no report");
        let (_, suns) = get(&server.url("/reports"), Some(&formation_token("sun")));
        let names: Vec<&str> = suns.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert!(names.contains(&"by_mode") && names.contains(&"speed"), "{suns}");
        assert!(!suns.as_array().unwrap().iter().any(|r| r["workflow"] == "title-evaluation"), "not HR's: {suns}");

        // Narrowed by region, and crossed with it.
        let (_, table) = report(
            &server,
            "admin",
            "by_mode?field=region&equals=%E6%B1%9F%E8%8B%8F%E7%9C%81%E8%8B%8F%E5%B7%9E%E5%B8%82",
        );
        assert_eq!(rows(&table), vec![(vec![json!("standalone")], vec![json!(1.0), json!(150.0)])], "{table}");
        let (_, table) = report(&server, "admin", "by_region");
        assert_eq!(
            rows(&table),
            vec![
                (vec![json!("江苏省南京市"), json!("standalone")], vec![json!(2.0)]),
                (vec![json!("江苏省苏州市"), json!("standalone")], vec![json!(1.0)]),
            ]
        );
        let (_, page) = report(
            &server,
            "admin",
            "by_region/instances?key=%E6%B1%9F%E8%8B%8F%E7%9C%81%E5%8D%97%E4%BA%AC%E5%B8%82&key2=standalone",
        );
        let mut behind: Vec<&str> =
            page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
        behind.sort();
        let mut want = vec![ids[0].as_str(), ids[1].as_str()];
        want.sort();
        assert_eq!(behind, want, "the two in 南京 are behind the figure 2");

        // Time per step, the steps in the route's order: three passes left 提出申请, two left
        // the party organisation.
        let (_, table) = report(&server, "admin", "speed");
        let passes: Vec<(Value, Value)> = rows(&table).into_iter().map(|(k, v)| (k[0].clone(), v[0].clone())).collect();
        assert_eq!(
            passes,
            vec![(json!("apply"), json!(3.0)), (json!("party"), json!(2.0)), (json!("leadership"), json!(1.0))]
        );
        assert_eq!(table["rows"][0]["values"][3], json!(0.0), "nothing was overdue");

        // A query the report cannot answer says what is wrong, at its field.
        for (query, field) in
            [("?status=draft", "status"), ("?from=2026-13-01", "from"), ("?field=enterprise_name&equals=x", "field")]
        {
            let (status, body) = report(&server, "admin", &format!("by_mode{query}"));
            assert_eq!((status, body["error"]["field"].as_str()), (400, Some(field)), "{query}: {body}");
        }
        let (status, _) = report(&server, "admin", "no_such_report");
        assert_eq!(status, 404);
    }
}

/// A file the server exports: (status, content type, bytes).
fn download(server: &Server, tok: &str, path: &str) -> (u16, String, Vec<u8>) {
    let mut resp = agent().get(&server.url(path)).header("Authorization", &format!("Bearer {tok}")).call().unwrap();
    let kind = resp.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut resp.body_mut().as_reader(), &mut bytes).unwrap();
    (resp.status().as_u16(), kind, bytes)
}

/// A workbook's first sheet as rows of cells.
fn sheet(bytes: Vec<u8>) -> Vec<Vec<calamine::Data>> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let range = book.worksheet_range_at(0).expect("a sheet").expect("it reads");
    range.rows().map(<[calamine::Data]>::to_vec).collect()
}

#[test]
fn exports_hold_the_numbers_the_screen_shows() {
    use calamine::Data;
    for db in own_databases("exports") {
        let server = Server::start(&db);
        let ids = three_formations(&server);
        let admin = token("admin", &["admin"]);

        // The report's table: Chinese headers, figures as numbers, the same as the API's.
        let (status, kind, csv) = download(&server, &admin, "/reports/kexie-formation/by_region?format=csv");
        assert_eq!((status, kind.as_str()), (200, "text/csv; charset=utf-8"));
        let csv = String::from_utf8(csv).unwrap();
        assert_eq!(
            csv, "\u{feff}所在地区,拟采用的组建方式,件数\r\n江苏省南京市,单独组建,2\r\n江苏省苏州市,单独组建,1\r\n",
            "{db}"
        );
        let (status, _, xlsx) = download(&server, &admin, "/reports/kexie-formation/by_mode?format=xlsx");
        assert_eq!(status, 200);
        let rows = sheet(xlsx);
        assert_eq!(
            rows[0],
            vec![
                Data::String("拟采用的组建方式".into()),
                Data::String("件数".into()),
                Data::String("科技人员总数合计（人）".into())
            ]
        );
        assert_eq!(rows[1], vec![Data::String("单独组建".into()), Data::Float(3.0), Data::Float(530.0)]);
        let (_, english) = get(&server.url("/reports/kexie-formation/by_mode?format=csv&lang=en"), Some(&admin));
        assert!(english.as_str().unwrap().starts_with("\u{feff}Proposed organising mode,Count,"), "{english}");

        // The instances behind a figure: every one, as the API lists them, dates as dates.
        let (_, listed) = get(&server.url("/reports/kexie-formation/by_mode/instances?key=standalone"), Some(&admin));
        let (status, _, xlsx) =
            download(&server, &admin, "/reports/kexie-formation/by_mode/instances?key=standalone&format=xlsx");
        assert_eq!(status, 200);
        let rows = sheet(xlsx);
        assert_eq!(rows.len(), 1 + ids.len(), "{rows:?}");
        assert_eq!(rows[0][0], Data::String("流程".into()));
        for (row, item) in rows[1..].iter().zip(listed["items"].as_array().unwrap()) {
            assert_eq!(row[8], Data::String(item["id"].as_str().unwrap().into()), "in the API's order");
            assert_eq!(row[1], Data::String("中化新材料研究院有限公司".into()));
            assert!(matches!(row[5], Data::DateTime(_)), "the time a date: {:?}", row[5]);
        }

        // A work list exports whole, with the same permissions: zhou's one task.
        let (status, _, csv) = download(&server, &formation_token("zhou"), "/tasks?format=csv");
        let csv = String::from_utf8(csv).unwrap();
        assert_eq!((status, csv.lines().count()), (200, 2), "{csv}");
        assert!(csv.contains(&ids[1]) && csv.contains("企业党组织审批"), "{csv}");
        let (status, body) =
            get(&server.url("/reports/kexie-formation/by_mode?format=xlsx"), Some(&formation_token("li")));
        assert_eq!(status, 403, "{body}");
        let (status, body) = get(&server.url("/tasks?format=pdf"), Some(&admin));
        assert_eq!((status, body["error"]["field"].as_str()), (400, Some("format")));
    }
}

/// li's application with `changes` over his main-route form, submitted.
fn submitted(server: &Server, changes: Value) {
    let li = formation_token("li");
    let mut form = formation_form_of(server, &li);
    form.as_object_mut().unwrap().extend(changes.as_object().unwrap().clone());
    let (status, view) =
        post(&server.url("/instances"), Some(&li), &json!({ "workflow": "kexie-formation", "form": form }));
    assert_eq!(status, 201, "{view}");
    let (status, view) = act(server, &li, view["id"].as_str().unwrap(), 1, json!({ "action": "submit" }));
    assert_eq!(status, 200, "{view}");
}

#[test]
fn coverage_reports_count_what_their_conditions_select() {
    let db = &databases("reports-coverage")[0];
    let server = Server::start(db);
    three_formations(&server); // standalone, 150–200 S&T staff
    let member = |name: &str, code: &str| json!({ "name": name, "credit_code": code, "st_staff": 100 });
    submitted(
        &server,
        json!({ "organising_mode": "park", "in_dev_zone": true, "park_name": "苏州工业园区", "st_staff_count": 2400,
        "justification": "以园区科协覆盖入园企业。",
        "member_enterprises": [member("纳微半导体材料有限公司", "91320594MA1MXK3C7U"), member("信达生物制药有限公司", "91320594MA1Q2N9E4R")] }),
    );
    submitted(
        &server,
        json!({ "organising_mode": "liaison_point", "st_staff_count": 18, "liaison": "chen",
        "justification": "本企业科技人员较少，先设立科协工作联系点。" }),
    );
    let (_, large) = report(&server, "admin", "large_not_standalone");
    assert_eq!(
        rows(&large),
        vec![(vec![json!("park")], vec![json!(1.0), json!(2400.0)])],
        "100+ and not standalone: {large}"
    );
    let (_, parks) = report(&server, "admin", "parks");
    assert_eq!(
        rows(&parks),
        vec![(vec![json!("苏州工业园区")], vec![json!(1.0), json!(2.0)])],
        "a park and its two members"
    );
    assert_eq!(parks["columns"][2]["label"]["zh"], "覆盖的成员企业合计");
    let (_, points) = report(&server, "admin", "liaison_points");
    assert_eq!(rows(&points), vec![(vec![Value::Null], vec![json!(1.0)])], "its guide is not chosen yet: {points}");
    let (_, formed) = report(&server, "admin", "formed");
    assert_eq!(formed["rows"], json!([]), "none is filed yet");
}

#[test]
fn a_plans_funds_are_counted_by_category_from_its_rows() {
    for db in own_databases("reports-rows") {
        let server = Server::start(&db);
        // Filed: five items, one per category, 50.00 in all (the main case).
        let (view, _) = replay(&server, "annual-plan", "01-main-countersign.toml");
        assert_eq!(view["status"], "completed", "{view}");
        let admin = token("admin", &["admin"]);
        let (status, table) = get(&server.url("/reports/annual-plan/by_category"), Some(&admin));
        assert_eq!(status, 200, "{db}: {table}");
        let by_row: Vec<(Vec<Value>, Vec<Value>)> = rows(&table);
        let categories = ["jiangbi", "academic", "platform", "popsci", "talent"];
        let budgets = [8.0, 12.5, 20.0, 6.0, 3.5];
        let want: Vec<(Vec<Value>, Vec<Value>)> = categories
            .iter()
            .zip(budgets)
            .map(|(c, b)| (vec![json!("2026"), json!(c)], vec![json!(1.0), json!(b)]))
            .collect();
        assert_eq!(by_row, want, "in the form's order: {table}");
        assert_eq!(table["total"], 5, "five rows");
        assert_eq!(table["columns"][1]["label"]["zh"], "类别");
        assert_eq!(table["columns"][2]["label"]["zh"], "计划事项数");
        assert_eq!(table["columns"][3]["label"]["zh"], "预算合计");
        assert_eq!(table["rows"][1]["keys"][1]["label"]["zh"], "学术交流（第六条）");

        // A figure opens its plan once, not once per row.
        let (_, page) = get(&server.url("/reports/annual-plan/by_category/instances?key=2026"), Some(&admin));
        assert_eq!((&page["total"], &page["items"][0]["id"]), (&json!(1), &view["id"]), "{page}");
        let (_, page) =
            get(&server.url("/reports/annual-plan/by_category/instances?key=2026&key2=platform"), Some(&admin));
        assert_eq!(page["total"], 1, "{page}");
        let (_, page) =
            get(&server.url("/reports/annual-plan/by_category/instances?key=2026&key2=model"), Some(&admin));
        assert_eq!(page["total"], 0, "no plan has a 典型示范 item: {page}");
    }
}

#[test]
fn instances_written_before_the_index_are_indexed_at_start() {
    let db = &databases("reports-backfill")[0];
    let mut server = Server::start(db);
    three_formations(&server);
    let sql = |statement: String| {
        let url = db.clone();
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async move {
            use sqlx::Row;
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&url).await.unwrap();
            let rows = sqlx::query(&statement).fetch_all(&pool).await.unwrap();
            rows.first().map(|r| r.try_get::<i64, _>(0).unwrap())
        })
    };
    let cells = || sql("SELECT COUNT(*) FROM instance_cells".into());
    assert_eq!(cells(), Some(3 * 4 * 4), "three forms' four candidates, four cells each");
    for table in ["instance_values", "instance_readers", "step_spans", "instance_cells"] {
        sql(format!("DELETE FROM {table}"));
    }
    let (_, table) = report(&server, "admin", "by_mode");
    assert_eq!(rows(&table), vec![(vec![Value::Null], vec![json!(3.0), Value::Null])], "no values indexed: {table}");
    server.kill_and_restart();
    let (_, table) = report(&server, "admin", "by_mode");
    assert_eq!(rows(&table), vec![(vec![json!("standalone")], vec![json!(3.0), json!(530.0)])], "{table}");
    let (_, table) = report(&server, "sun", "by_mode");
    assert_eq!(table["total"], 1, "the readers too: {table}");
    let (_, table) = report(&server, "admin", "speed");
    assert_eq!(table["rows"][0]["values"][0], json!(3.0), "and the steps: {table}");
    assert_eq!(cells(), Some(3 * 4 * 4), "and the tables' cells");
}

/// A shipped workflow's files as the rule editor holds them.
fn bundle_of(workflow: &str) -> kexie_engine::bundle::Bundle {
    let dir = repo().join("workflows").join(workflow);
    let mut files = std::collections::BTreeMap::new();
    for name in ["workflow.toml", "rules.rhai"] {
        files.insert(name.to_string(), std::fs::read_to_string(dir.join(name)).unwrap());
    }
    for entry in std::fs::read_dir(dir.join("cases")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        files.insert(format!("cases/{name}"), std::fs::read_to_string(&path).unwrap());
    }
    kexie_engine::bundle::Bundle::from_files(&files).unwrap()
}

#[test]
fn the_editors_preview_over_the_cases_counts_what_the_server_counts() {
    use kexie_engine::definition::Group;
    use kexie_engine::reports::tabulate;
    let db = &databases("reports-preview")[0];
    let server = Server::start(db);
    let admin = token("admin", &["admin"]);
    let walked: [(&str, &[&str]); 5] = [
        ("kexie-formation", &["01-main-standalone.toml", "07-reject.toml", "12-park-association.toml"]),
        ("annual-plan", &["01-main-countersign.toml", "05-return-from-leadership.toml", "07-committee-reject.toml"]),
        ("major-project", &["01-main-route-above-threshold.toml", "02-below-threshold-other-skips-experts.toml"]),
        ("title-evaluation", &["06-fail-ends.toml"]),
        ("commendation", &["02-vote-fails.toml"]),
    ];
    for (workflow, files) in walked {
        let checked = bundle_of(workflow).check(kexie_engine::text::Lang::Zh);
        let mut ended = Vec::new();
        for file in files {
            let (_, stopped) = replay(&server, workflow, file);
            assert_eq!(stopped, None, "{workflow}/{file} replays to its end");
            let (_, case) = checked.cases.iter().find(|(f, _)| f == &format!("cases/{file}")).unwrap();
            assert!(case.passed(), "{workflow}/{file}: {:?}", case.failures);
            ended.push(case.ended.as_ref().unwrap());
        }
        let def = &checked.workflow.as_ref().unwrap().definition;
        let mut figures_compared = 0;
        for r in &def.reports {
            // The server stamps the real time; the cases their own.
            if r.group_by.contains(&Group::StartedYear) {
                continue;
            }
            let (status, server_table) = get(&server.url(&format!("/reports/{workflow}/{}", r.id)), Some(&admin));
            assert_eq!(status, 200, "{server_table}");
            let (tallied, total) = tabulate(r, &ended);
            let preview = serde_json::to_value(kexie_api::report_table(def, r, tallied, total, &|_| None)).unwrap();
            let figures = |t: &Value| {
                let mut rows = rows(t);
                if r.is_durations() {
                    // Times differ (the replay takes milliseconds); the passes do not.
                    rows.iter_mut().for_each(|(_, v)| v.truncate(1));
                }
                (rows, t["total"].clone(), t["columns"].clone())
            };
            assert_eq!(figures(&preview), figures(&server_table), "{workflow} {}", r.id);
            figures_compared += preview["rows"].as_array().unwrap().len();
        }
        assert!(figures_compared >= files.len(), "{workflow}: {figures_compared} rows compared");
    }
}

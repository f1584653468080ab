//! Reports over 100,000 instances on SQLite (issue 17's budget: an answer in ≤ 200 ms).
//! Run with `cargo bench -p kexie-server --bench reports`; BENCHMARKS.md has the figures.
//!
//! The generator walks one real kexie-formation application through the API (submitted and
//! approved by the party organisation, so that it has passes through steps), stops the
//! server, and copies it in SQL into 100,000 instances with the index a
//! real action writes: values varied (six organising modes, 31 regions, S&T staff 0–4,990,
//! five years, four statuses), readers (the applicant, the approvers, and for one in three
//! the upper-level 科协) and step passes. Then the server starts again on the file and each
//! report is asked 30 times over loopback, as an administrator and as the upper-level 科协.

#[path = "../tests/support/mod.rs"]
mod support;

#[allow(dead_code)] // the other benches use the rest of it
mod common;

use std::time::{Duration, Instant};

use common::TempDir;
use serde_json::json;
use support::{
    FORMATION_PEOPLE, Server, act, agent, formation_form_of, formation_token, get, memory_kib, post, sync_directory,
    token,
};

const INSTANCES: i64 = 100_000;
const ASKED: usize = 30;

/// The one real application the copies are made of.
fn template(server: &Server) -> String {
    sync_directory(server, FORMATION_PEOPLE);
    let li = formation_token("li");
    let form = formation_form_of(server, &li);
    let (status, view) =
        post(&server.url("/instances"), Some(&li), &json!({ "workflow": "kexie-formation", "form": form }));
    assert_eq!(status, 201, "{view}");
    let id = view["id"].as_str().unwrap().to_string();
    assert_eq!(act(server, &li, &id, 1, json!({ "action": "submit" })).0, 200);
    let approve = |who: &str, revision: u64, field: &str| {
        let (status, view) = act(
            server,
            &formation_token(who),
            &id,
            revision,
            json!({ "action": "approve", "changes": { field: "同意。" } }),
        );
        assert_eq!(status, 200, "{view}");
    };
    approve("zhou", 2, "party_opinion");
    id
}

/// Copies of `id` numbered 1..=INSTANCES, with their index, in one transaction per table.
async fn seed(url: &str, id: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let numbers = format!("WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < {INSTANCES})");
    let statements = [
        format!(
            "{numbers} INSERT INTO instances (id, workflow, version, initiator, status, step, revision, state, \
             created_at, updated_at, audit_seq, audit_hash, department) \
             SELECT i.id || '-' || k, i.workflow, i.version, i.initiator, \
               CASE k % 4 WHEN 0 THEN 'completed' WHEN 1 THEN 'rejected' ELSE 'running' END, i.step, i.revision, \
               i.state, '202' || (2 + k % 5) || SUBSTR(i.created_at, 5), i.updated_at, i.audit_seq, i.audit_hash, \
               i.department FROM instances i, n WHERE i.id = '{id}'"
        ),
        format!(
            "{numbers} INSERT INTO instance_values (instance_id, field, text, num) \
             SELECT v.instance_id || '-' || k, v.field, \
               CASE v.field WHEN 'organising_mode' THEN \
                   CASE k % 6 WHEN 0 THEN 'standalone' WHEN 1 THEN 'regional' WHEN 2 THEN 'industry' \
                   WHEN 3 THEN 'hosted' WHEN 4 THEN 'park' ELSE 'liaison_point' END \
                 WHEN 'region' THEN '第' || (k % 31) || '省' \
                 WHEN 'st_staff_count' THEN '' || (k % 500 * 10) ELSE v.text END, \
               CASE v.field WHEN 'st_staff_count' THEN k % 500 * 10 * 10000 ELSE v.num END \
             FROM instance_values v, n WHERE v.instance_id = '{id}'"
        ),
        format!(
            "{numbers} INSERT INTO instance_cells (instance_id, field, row_no, text, num) \
             SELECT c.instance_id || '-' || k, c.field, c.row_no, c.text, c.num \
             FROM instance_cells c, n WHERE c.instance_id = '{id}'"
        ),
        format!(
            "{numbers} INSERT INTO instance_readers (instance_id, user_id) \
             SELECT r.instance_id || '-' || k, r.user_id FROM instance_readers r, n WHERE r.instance_id = '{id}'"
        ),
        format!(
            "{numbers} INSERT INTO instance_readers (instance_id, user_id) \
             SELECT '{id}' || '-' || k, 'sun' FROM n WHERE k % 3 = 0"
        ),
        format!(
            "{numbers} INSERT INTO step_spans (instance_id, seq, step, entered_at, left_at, due_at) \
             SELECT s.instance_id || '-' || k, s.seq, s.step, s.entered_at, \
               CASE WHEN s.left_at IS NULL THEN NULL ELSE s.left_at + (k % 97) * 3600 END, s.due_at \
             FROM step_spans s, n WHERE s.instance_id = '{id}'"
        ),
    ];
    for sql in &statements {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    pool.close().await;
}

fn measure(server: &Server, who: &str, path: &str) {
    let tok = if who == "admin" { token("admin", &["admin"]) } else { formation_token(who) };
    let url = server.url(&format!("/reports/kexie-formation/{path}"));
    for _ in 0..3 {
        assert_eq!(get(&url, Some(&tok)).0, 200, "{url}");
    }
    let mut times: Vec<Duration> = (0..ASKED)
        .map(|_| {
            let t = Instant::now();
            let (status, body) = get(&url, Some(&tok));
            assert_eq!(status, 200, "{body}");
            t.elapsed()
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{:<44} {:<6} median {:>7.1} ms   p90 {:>7.1} ms   max {:>7.1} ms",
        path,
        who,
        ms(times[ASKED / 2]),
        ms(times[ASKED * 9 / 10]),
        ms(times[ASKED - 1])
    );
}

/// Exports every instance behind the report (no key: all of them) as `format`; prints the
/// time, the file's size, and the server's peak memory before and after.
fn export(server: &Server, format: &str) {
    let before = memory_kib(server.pid(), "VmHWM");
    let url = server.url(&format!("/reports/kexie-formation/by_mode/instances?format={format}"));
    let t = Instant::now();
    let mut resp =
        agent().get(&url).header("Authorization", &format!("Bearer {}", token("admin", &["admin"]))).call().unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut resp.body_mut().as_reader(), &mut bytes).unwrap();
    let took = t.elapsed();
    let after = memory_kib(server.pid(), "VmHWM");
    let lines = if format == "csv" { bytes.iter().filter(|b| **b == b'\n').count() as i64 - 1 } else { -1 };
    assert!(format != "csv" || lines == INSTANCES + 1, "every row: {lines}");
    println!(
        "export of {} rows as {format:<4}  {:>6.1} s   {:>6.1} MB   server peak memory {:>6.1} MB → {:>6.1} MB",
        INSTANCES + 1,
        took.as_secs_f64(),
        bytes.len() as f64 / 1e6,
        before as f64 / 1024.0,
        after as f64 / 1024.0
    );
}

fn main() {
    let dir = TempDir::new("reports-bench");
    let url = format!("sqlite://{}", dir.0.join("kexie.db").display());
    let mut server = Server::start(&url);
    let id = template(&server);
    drop(server);
    let started = Instant::now();
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(seed(&url, &id));
    println!("seeded {INSTANCES} instances in {:.1} s", started.elapsed().as_secs_f64());
    server = Server::start(&url);
    let (_, table) = get(&server.url("/reports/kexie-formation/by_mode"), Some(&token("admin", &["admin"])));
    assert_eq!(table["total"], INSTANCES + 1, "every copy and the template are counted: {table}");
    for (who, path) in [
        ("admin", "by_mode"),
        ("sun", "by_mode"),
        ("admin", "by_mode?field=region&equals=%E7%AC%AC7%E7%9C%81"),
        ("admin", "by_region"),
        ("admin", "by_year"),
        ("admin", "speed"),
        ("sun", "speed"),
        ("admin", "by_mode/instances?key=park"),
        ("sun", "by_mode/instances?key=park"),
        ("admin", "by_mode/instances?key=park&page=500"),
    ] {
        measure(&server, who, path);
    }
    export(&server, "csv");
    export(&server, "xlsx");
}

//! Mail through a real SMTP server (aiosmtpd, in a process of its own): new tasks and
//! returned applications reach the people concerned who have an address, in their
//! language, with the link; while the SMTP server is down, actions go on and the mail
//! waits in the outbox until it is back. On SQLite and PostgreSQL.

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::*;

/// The SMTP server, killed when dropped; what it took is in `out`.
struct Smtp {
    child: Child,
}

impl Smtp {
    fn start(port: u16, out: &Path) -> Smtp {
        let python = std::env::var("KEXIE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let mut child = Command::new(&python)
            .arg(repo().join("server/tests/fixtures/smtp.py"))
            .args(["--port", &port.to_string(), "--out", out.to_str().unwrap()])
            .stdout(Stdio::piped())
            .spawn()
            .expect("python runs the SMTP server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(
            line.trim(),
            "ready",
            "the test SMTP server needs aiosmtpd: run scripts/test.sh, which sets KEXIE_TEST_PYTHON to its virtualenv"
        );
        Smtp { child }
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The messages to `address` once there are `count` (the outbox sends them shortly).
fn mail_to(out: &Path, address: &str, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(out).unwrap_or_default();
        let all = text.lines().map(|l| serde_json::from_str::<Value>(l).unwrap());
        let mine: Vec<Value> = all.filter(|m| m["to"] == json!([address])).collect();
        if mine.len() >= count || Instant::now() > deadline {
            assert_eq!(mine.len(), count, "mail to {address}: {mine:?}");
            return mine;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

const PEOPLE: &str = r#"[
  { "id": "li", "name": "李明", "roles": ["applicant"], "email": "li@example.com" },
  { "id": "zhou", "name": "周建国", "roles": ["party_org"], "email": "zhou@example.com", "lang": "zh-CN" },
  { "id": "wu", "name": "Wu Haitao", "roles": ["leadership"], "email": "wu@example.com", "lang": "en" },
  { "id": "zheng", "name": "郑丽华", "roles": ["leadership"] }
]"#;

#[test]
fn tasks_and_returns_are_mailed_in_the_readers_language_and_wait_out_an_smtp_outage() {
    for db in own_databases("mail") {
        let port = free_port();
        let out = std::env::temp_dir().join(format!("kexie-mail-{}-{port}.jsonl", std::process::id()));
        let config = format!(
            "[email]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nfrom = \"科协流程 <kexie@example.com>\"\n\n\
             [events]\ntask_url = \"https://oa.example.com/kexie?instance={{instance}}\"\n"
        );
        let server = Server::start_extra(&db, &["--config", &config_file(&format!("mail-{port}"), &config)], &[]);
        let (status, body) =
            post(&server.url("/directory"), Some(&token("admin", &["admin"])), &serde_json::from_str(PEOPLE).unwrap());
        assert_eq!(status, 200, "{body}");

        // The SMTP server is down: the submit goes through all the same.
        let (id, view) = submitted_formation(&server);
        let admin = token("admin", &["admin"]);
        let deadline = Instant::now() + Duration::from_secs(10);
        let failed = loop {
            let (_, list) = get(&server.url("/deliveries?status=pending"), Some(&admin));
            let tried =
                list.as_array().unwrap().iter().find(|d| d["hook"] == "email" && d["attempts"].as_i64() > Some(0));
            match tried {
                Some(d) => break d.clone(),
                None if Instant::now() > deadline => break Value::Null,
                None => std::thread::sleep(Duration::from_millis(100)),
            }
        };
        assert!(failed["last_error"].as_str().unwrap_or_default().contains("SMTP"), "a failed try is listed: {failed}");

        let _smtp = Smtp::start(port, &out);
        let zhou = &mail_to(&out, "zhou@example.com", 1)[0];
        assert_eq!(zhou["from"], "kexie@example.com");
        assert!(zhou["to_header"].as_str().unwrap().contains("周建国"), "{zhou}");
        let subject = zhou["subject"].as_str().unwrap();
        assert!(subject.starts_with("【待办】") && subject.contains("中化新材料研究院有限公司"), "{subject}");
        let body = zhou["body"].as_str().unwrap();
        assert!(
            body.contains("周建国，您好") && body.contains(&format!("https://oa.example.com/kexie?instance={id}")),
            "{body}"
        );

        // zhou sends it back to li: li hears of it once (not also of the draft's to-do).
        let back = json!({ "action": "return", "to": "apply", "reason": "章程草案不完整" });
        let (status, view) = act(&server, &formation_token("zhou"), &id, view["revision"].as_u64().unwrap(), back);
        assert_eq!(status, 200, "{view}");
        let li = &mail_to(&out, "li@example.com", 1)[0];
        assert!(li["subject"].as_str().unwrap().starts_with("【已退回】"), "{li}");

        // Submitted again and approved: wu reads English; zheng has no address.
        let (_, view) = act(
            &server,
            &formation_token("li"),
            &id,
            view["revision"].as_u64().unwrap(),
            json!({ "action": "submit" }),
        );
        mail_to(&out, "zhou@example.com", 2);
        let approve = json!({ "action": "approve", "changes": { "party_opinion": "同意" } });
        let (status, _) = act(&server, &formation_token("zhou"), &id, view["revision"].as_u64().unwrap(), approve);
        assert_eq!(status, 200);
        let wu = &mail_to(&out, "wu@example.com", 1)[0];
        assert!(wu["subject"].as_str().unwrap().starts_with("[To do] "), "{wu}");
        assert!(wu["body"].as_str().unwrap().starts_with("Dear Wu Haitao,"), "{wu}");
        std::thread::sleep(Duration::from_millis(500));
        let text = std::fs::read_to_string(&out).unwrap();
        assert_eq!(text.lines().count(), 4, "nothing more: none to zheng, nothing twice\n{text}");
    }
}

#[test]
fn a_directory_entry_with_a_bad_address_or_language_is_refused_by_name() {
    let server = Server::start(&databases("mail-directory")[0]);
    let admin = token("admin", &["admin"]);
    for (entry, what) in [
        (json!({ "id": "x", "name": "X", "email": "not an address" }), "email"),
        (json!({ "id": "x", "name": "X", "lang": "fr" }), "lang"),
    ] {
        let (status, body) = post(&server.url("/directory"), Some(&admin), &json!([{ "id": "ok" }, entry]));
        assert_eq!(status, 400, "{body}");
        let message = body["error"]["message"]["en"].as_str().unwrap();
        assert!(message.contains("person 2 ('x')") && message.contains(what), "{message}");
    }
}

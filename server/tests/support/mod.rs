//! A real `kexie serve` on a loopback port, tokens signed like a host OA's, and a small
//! HTTP client: what the API tests share.

#![allow(dead_code)]

mod cases;
mod receiver;
#[allow(unused_imports)]
pub use cases::{case, replay, uploaded};
#[allow(unused_imports)]
pub use receiver::{HOOK_SECRET, Receiver};

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::{Value, json};

pub const SECRET: &str = "kexie-test-secret-0123456789abcdef0123456789";
pub const AUDIENCE: &str = "kexie-flow";

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The databases to run against: a fresh SQLite file always, PostgreSQL when
/// scripts/test.sh started one (KEXIE_TEST_POSTGRES_URL).
pub fn databases(name: &str) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("kexie-api-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut dbs = vec![format!("sqlite://{}", dir.join("kexie.db").display())];
    if let Ok(pg) = std::env::var("KEXIE_TEST_POSTGRES_URL") {
        dbs.push(pg);
    }
    dbs
}

/// A fresh database of this test's own on the test PostgreSQL (the other tests' directory
/// and instances stay out of its task lists, events and audit verification).
pub fn postgres(test: &str) -> String {
    let url = std::env::var("KEXIE_TEST_POSTGRES_URL")
        .expect("KEXIE_TEST_POSTGRES_URL: these tests need a PostgreSQL (scripts/test.sh starts one)");
    let name =
        format!("kexie_{}_{}", test.replace(|c: char| !c.is_ascii_alphanumeric(), "_"), uuid::Uuid::new_v4().simple());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&url).await.expect("the test PostgreSQL answers");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("a database is created");
    });
    let base = url.rsplit_once('/').expect("a URL with a database name").0;
    format!("{base}/{name}")
}

/// Like `databases`, with a PostgreSQL database of this test's own.
pub fn own_databases(name: &str) -> Vec<String> {
    let mut dbs = databases(name);
    if dbs.len() > 1 {
        dbs[1] = postgres(name);
    }
    dbs
}

/// A `kexie.toml` holding `text`, in a folder of this test process's own: its path.
pub fn config_file(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("kexie-config-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("kexie.toml");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// A running server; killed when dropped.
pub struct Server {
    child: Child,
    port: u16,
    pub base: String,
    pub database: String,
    workflows: PathBuf,
    extra: Extra,
}

/// More flags (such as --demo) and environment variables (such as KEXIE_WIDGET_DIR), and
/// the file that takes the server's standard output.
#[derive(Clone, Default)]
struct Extra {
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdout: Option<PathBuf>,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Server {
    pub fn start(database: &str) -> Server {
        Server::start_with(database, &repo().join("workflows"))
    }

    pub fn start_with(database: &str, workflows: &Path) -> Server {
        Server::start_on(database, workflows, free_port(), Extra::default())
    }

    /// With more flags of `kexie serve` and environment variables.
    pub fn start_extra(database: &str, args: &[&str], env: &[(&str, &str)]) -> Server {
        let extra = Extra {
            args: args.iter().map(|a| a.to_string()).collect(),
            env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            stdout: None,
        };
        Server::start_on(database, &repo().join("workflows"), free_port(), extra)
    }

    /// Its standard output written to `log`, afresh on each start (the loader's lines are
    /// there once it answers).
    pub fn start_logged(database: &str, workflows: &Path, log: &Path) -> Server {
        let extra = Extra { stdout: Some(log.into()), ..Extra::default() };
        Server::start_on(database, workflows, free_port(), extra)
    }

    /// What the server wrote to standard output (`start_logged` only).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.extra.stdout.as_ref().expect("started with start_logged")).unwrap()
    }

    fn start_on(database: &str, workflows: &Path, port: u16, extra: Extra) -> Server {
        let stdout = match &extra.stdout {
            Some(log) => Stdio::from(std::fs::File::create(log).unwrap()),
            None => Stdio::null(),
        };
        let child = Command::new(env!("CARGO_BIN_EXE_kexie"))
            .args(["serve", "--bind", "127.0.0.1", "--port", &port.to_string(), "--workflows"])
            .arg(workflows)
            .env("DATABASE_URL", database)
            .env("KEXIE_JWT_SECRET", SECRET)
            .args(&extra.args)
            .envs(extra.env.iter().map(|(k, v)| (k, v)))
            .current_dir(repo())
            .stdout(stdout)
            .stderr(Stdio::inherit())
            .spawn()
            .expect("kexie serve starts");
        let server = Server {
            child,
            port,
            base: format!("http://127.0.0.1:{port}"),
            database: database.into(),
            workflows: workflows.into(),
            extra,
        };
        server.wait_ready();
        server
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if ureq::get(&format!("{}/api/v1/openapi.json", self.base)).call().is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the server at {} did not come up", self.base);
    }

    /// Kills the server hard (SIGKILL) and starts it again on the same database and port.
    pub fn kill_and_restart(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        let restarted = Server::start_on(&self.database, &self.workflows, self.port, self.extra.clone());
        *self = restarted;
    }

    /// The server process's id (the soak bench reads its memory from /proc).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn expiry(offset: i64) -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64 + offset
}

/// A token as the host OA would sign it.
pub fn token_for(id: &str, roles: &[&str], exp_offset: i64, secret: &str, audience: &str) -> String {
    let claims =
        json!({ "sub": id, "name": id.to_uppercase(), "roles": roles, "exp": expiry(exp_offset), "aud": audience });
    encode(&Header::default(), &claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
}

/// A valid token with a real name and a department.
pub fn token_of(id: &str, name: &str, dept: &str, roles: &[&str]) -> String {
    let claims = json!({ "sub": id, "name": name, "dept": dept, "roles": roles, "exp": expiry(3600), "aud": AUDIENCE });
    encode(&Header::default(), &claims, &EncodingKey::from_secret(SECRET.as_bytes())).unwrap()
}

pub fn token(id: &str, roles: &[&str]) -> String {
    token_for(id, roles, 3600, SECRET, AUDIENCE)
}

/// A client that returns answers of any status rather than errors.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

/// (status, JSON body).
pub fn get(url: &str, token: Option<&str>) -> (u16, Value) {
    let mut req = agent().get(url);
    if let Some(t) = token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    read(req.call().expect("the server answers"))
}

pub fn post(url: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
    let mut req = agent().post(url);
    if let Some(t) = token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    read(req.send_json(body).expect("the server answers"))
}

/// A raw upload; `None` if the server closed the connection while the body was sent.
pub fn post_raw(url: &str, token: &str, content_type: &str, name: &str, body: &[u8]) -> Option<(u16, Value)> {
    let req = agent()
        .post(url)
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", content_type)
        .header(
            "X-File-Name",
            &percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC).to_string(),
        );
    req.send(body).ok().map(read)
}

/// A POST that may find no server (while it restarts): `None` then.
pub fn post_maybe(url: &str, token: &str, body: &Value) -> Option<(u16, Value)> {
    agent().post(url).header("Authorization", &format!("Bearer {token}")).send_json(body).ok().map(read)
}

fn read(mut resp: ureq::http::Response<ureq::Body>) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// The error code of an error response.
pub fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

/// Pushes people into the server's directory (as the host's admin would).
pub fn sync_directory(server: &Server, people: &[(&str, &[&str])]) {
    let admin = token("admin", &["admin"]);
    let body: Vec<Value> =
        people.iter().map(|(id, roles)| json!({ "id": id, "name": id.to_uppercase(), "roles": roles })).collect();
    let (status, resp) = post(&server.url("/directory"), Some(&admin), &json!(body));
    assert_eq!(status, 200, "{resp}");
}

/// Takes an action; returns (status, body).
pub fn act(server: &Server, token: &str, id: &str, revision: u64, action: Value) -> (u16, Value) {
    let request_id = uuid::Uuid::new_v4().to_string();
    post(
        &server.url(&format!("/instances/{id}/actions")),
        Some(token),
        &json!({ "request_id": request_id, "revision": revision, "action": action }),
    )
}

/// The people of kexie-formation's cases (`workflows/kexie-formation/cases/_people.toml`);
/// chen holds no role.
pub const FORMATION_PEOPLE: &[(&str, &[&str])] = &[
    ("li", &["applicant"]),
    ("zhou", &["party_org"]),
    ("wu", &["leadership"]),
    ("zheng", &["leadership"]),
    ("sun", &["upper_kexie"]),
    ("feng", &["sasac"]),
    ("chen", &[]),
];

/// A token for one of `FORMATION_PEOPLE`, with their roles.
pub fn formation_token(id: &str) -> String {
    let roles = FORMATION_PEOPLE.iter().find(|(p, _)| *p == id).map_or(&[][..], |(_, r)| r);
    token(id, roles)
}

/// The CPU time process `pid` has used (user and system), from /proc.
pub fn cpu_time(pid: u32) -> std::time::Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("the process's /proc stat");
    // After the command name in parentheses: state is field 3, utime 14 and stime 15.
    let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap_or(0) + fields[12].parse::<u64>().unwrap_or(0);
    std::time::Duration::from_millis(ticks * 10) // USER_HZ is 100 on Linux
}

/// A memory figure of process `pid` from /proc, in KiB: `VmRSS`, `VmHWM` (its peak).
pub fn memory_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("the process's /proc status");
    let line = status.lines().find(|l| l.strip_prefix(field).is_some_and(|r| r.starts_with(':'))).unwrap_or_default();
    line.split_whitespace().nth(1).and_then(|kb| kb.parse().ok()).unwrap_or(0)
}

/// A kexie-formation instance started and submitted by li (the directory must know the
/// party organisation): its id and the view the submit answered.
pub fn submitted_formation(server: &Server) -> (String, Value) {
    let (status, view) = post(
        &server.url("/instances"),
        Some(&formation_token("li")),
        &json!({ "workflow": "kexie-formation", "form": formation_form_of(server, &formation_token("li")) }),
    );
    assert_eq!(status, 201, "{view}");
    let id = view["id"].as_str().unwrap().to_string();
    let (status, view) = act(server, &formation_token("li"), &id, 1, json!({ "action": "submit" }));
    assert_eq!((status, view["step"].as_str()), (200, Some("party")), "{view}");
    (id, view)
}

/// A small PDF named `name`, uploaded by the holder of `token`: its metadata, as a form's
/// attachment field holds it.
pub fn uploaded_pdf(server: &Server, token: &str, name: &str) -> Value {
    let content = format!("%PDF-1.4\n{name}\n");
    let (status, meta) =
        post_raw(&server.url("/attachments"), token, "application/pdf", name, content.as_bytes()).expect("uploaded");
    assert_eq!(status, 201, "{meta}");
    meta
}

/// `formation_form()` with the charter draft uploaded by the holder of `token`: a form
/// may name only a file its author uploaded.
pub fn formation_form_of(server: &Server, token: &str) -> Value {
    let mut form = formation_form();
    form["charter_draft"] = uploaded_pdf(server, token, "科协章程草案.pdf");
    form
}

/// The valid form of kexie-formation's main-route case (cases/01-main-standalone.toml);
/// its charter draft was never uploaded (see `formation_form_of`).
pub fn formation_form() -> Value {
    json!({
        "enterprise_name": "中化新材料研究院有限公司",
        "st_staff_count": 180,
        "region": "江苏省南京市",
        "industry": "化工新材料",
        "in_dev_zone": false,
        "organising_mode": "standalone",
        "charter_draft": { "name": "科协章程草案.pdf", "size": 245760, "media_type": "application/pdf",
            "sha256": "a8a61bbe706b6b8383276a79e848a4d2d1ba80faef2ba0a5848b8903d853958c" },
        "planned_platforms": ["society_station", "expert_workstation"],
        "committee_candidates": [
            { "name": "王建华", "title": "总工程师", "department": "技术中心", "is_st_worker": true },
            { "name": "刘芳", "title": "高级工程师", "department": "研发一部", "is_st_worker": true },
            { "name": "张磊", "title": "工程师", "department": "工艺部", "is_st_worker": true },
            { "name": "赵敏", "title": "主任", "department": "人力资源部", "is_st_worker": false }
        ]
    })
}

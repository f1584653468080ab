//! The request path's defences, over real loopback HTTP; SECURITY.md cites each test here.

mod support;

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use support::*;

const ENTERPRISE: &str = "中化新材料研究院有限公司";
const PDF: &[u8] = b"%PDF-1.4 charter";

/// (status, headers, body text) of any request.
fn call(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, ureq::http::HeaderMap, String) {
    let mut req = ureq::http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut resp = agent().run(req.body(body.to_vec()).unwrap()).expect("the server answers");
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    (resp.status().as_u16(), resp.headers().clone(), text)
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// li's uploaded charter and a draft of li's whose form holds it: (instance id, sha256).
fn li_draft_with_file(server: &Server) -> (String, String) {
    let (status, meta) =
        post_raw(&server.url("/attachments"), &formation_token("li"), "application/pdf", "章程.pdf", PDF)
            .expect("uploaded");
    assert_eq!(status, 201, "{meta}");
    let sha = meta["sha256"].as_str().unwrap().to_string();
    let mut form = formation_form();
    form["charter_draft"] =
        json!({ "name": "章程.pdf", "size": PDF.len(), "media_type": "application/pdf", "sha256": sha });
    let (status, draft) = post(
        &server.url("/instances"),
        Some(&formation_token("li")),
        &json!({ "workflow": "kexie-formation", "form": form }),
    );
    assert_eq!(status, 201, "{draft}");
    (draft["id"].as_str().unwrap().to_string(), sha)
}

/// Every operation the OpenAPI document lists, with its path parameters filled in.
fn operations(server: &Server, id: &str, sha: &str) -> Vec<(String, String)> {
    let (_, doc) = get(&server.url("/openapi.json"), None);
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let path = path
            .replace("{id}", id)
            .replace("{sha256}", sha)
            .replace("{key}", "kexie-formation")
            .replace("{version}", "1");
        for method in item.as_object().unwrap().keys() {
            ops.push((method.to_uppercase(), format!("{}{path}", server.base)));
        }
    }
    ops
}

#[test]
fn every_operation_refuses_a_request_without_a_valid_token_and_a_cookie_is_no_token() {
    let server = Server::start(&databases("security-every")[0]);
    let (id, sha) = li_draft_with_file(&server);
    let ops = operations(&server, &id, &sha);
    assert!(ops.len() >= 18, "the document lists every operation: {ops:?}");
    let forged = token_for("li", &["applicant", "admin"], 3600, "another-secret-another-secret-another", AUDIENCE);
    for (method, url) in &ops {
        let attempts: [&[(&str, &str)]; 2] =
            [&[("Cookie", "session=li; token=whatever")], &[("Authorization", &bearer(&forged))]];
        for headers in attempts {
            let (status, h, body) = call(method, url, headers, b"{}");
            assert_eq!(status, 401, "{method} {url} with {headers:?}: {body}");
            assert_eq!(code(&serde_json::from_str(&body).unwrap()), "unauthorized", "{method} {url}: {body}");
            assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff", "{method} {url}");
            assert!(!body.contains(ENTERPRISE) && !body.contains(SECRET), "{method} {url}: {body}");
        }
    }
}

#[test]
fn an_outsider_and_a_non_admin_get_nothing_of_anybody_elses() {
    let server = Server::start(&databases("security-outsider")[0]);
    let (id, sha) = li_draft_with_file(&server);
    let chen = formation_token("chen");
    let act = json!({ "request_id": "x", "revision": 1, "action": { "action": "comment", "text": "看看" } });
    let publish = json!({ "bundle": { "workflow_toml": "", "rules_rhai": "" }, "note": "试试" });
    let refused: &[(&str, String, Value)] = &[
        ("GET", format!("/instances/{id}"), Value::Null),
        ("GET", format!("/instances/{id}/audit"), Value::Null),
        ("GET", format!("/instances/{id}/print"), Value::Null),
        ("POST", format!("/instances/{id}/actions"), act),
        ("GET", format!("/attachments/{sha}?instance={id}"), Value::Null),
        ("GET", format!("/attachments/{sha}"), Value::Null),
        ("POST", "/directory".into(), json!([{ "id": "chen", "name": "陈", "roles": ["admin"] }])),
        ("POST", "/workflows/kexie-formation/versions".into(), publish),
        ("GET", "/workflows/kexie-formation/versions".into(), Value::Null),
        ("GET", "/workflows/kexie-formation/versions/1/bundle".into(), Value::Null),
    ];
    for (method, path, body) in refused {
        let body = if body.is_null() { vec![] } else { serde_json::to_vec(body).unwrap() };
        let headers = [("Authorization", bearer(&chen)), ("Content-Type", "application/json".into())];
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, _, text) = call(method, &server.url(path), &headers, &body);
        assert_eq!(status, 403, "{method} {path}: {text}");
        assert!(!text.contains(ENTERPRISE), "{method} {path} leaks li's form: {text}");
    }
    for list in ["/tasks", "/started", "/cc"] {
        let (status, body) = get(&server.url(list), Some(&chen));
        assert_eq!((status, &body["total"]), (200, &json!(0)), "{list}: {body}");
    }
    // An unknown instance is not told apart from someone else's by its content.
    let (status, body) = get(&server.url("/instances/no-such-instance"), Some(&chen));
    assert_eq!(status, 404, "{body}");
}

fn token_rs256(key_file: &str, claims: &Value) -> String {
    let pem = std::fs::read(fixture(key_file)).unwrap();
    encode(&Header::new(Algorithm::RS256), claims, &EncodingKey::from_rsa_pem(&pem).unwrap()).unwrap()
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn claims(exp_offset: i64) -> Value {
    json!({ "sub": "li", "name": "李明", "roles": ["applicant"], "exp": now() + exp_offset, "aud": AUDIENCE })
}

/// A token whose header says `alg` and whose signature is `signature`, made by hand as an
/// attacker would.
fn handmade(alg: &str, claims: &Value, signature: &[u8]) -> String {
    let header = URL_SAFE_NO_PAD.encode(json!({ "alg": alg, "typ": "JWT" }).to_string());
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn me_status(server: &Server, token: &str) -> (u16, String) {
    let (status, body) = get(&server.url("/me"), Some(token));
    (status, body["error"]["message"]["en"].as_str().unwrap_or_default().to_string())
}

#[test]
fn rs256_tokens_accept_only_the_hosts_key_and_algorithm() {
    let public = fixture("host-public.pem");
    let server = Server::start_extra(
        &databases("security-rs256")[0],
        &[],
        &[("KEXIE_JWT_PUBLIC_KEY", public.to_str().unwrap())],
    );
    assert_eq!(me_status(&server, &token_rs256("host-private.pem", &claims(3600))).0, 200, "the host's token");
    let pem = std::fs::read(&public).unwrap();
    let confused = encode(&Header::new(Algorithm::HS256), &claims(3600), &EncodingKey::from_secret(&pem)).unwrap();
    let refused = [
        (confused, "algorithm"),
        (handmade("none", &claims(3600), b""), "algorithm is not accepted"),
        (token_rs256("other-private.pem", &claims(3600)), "signature"),
        (token_for("li", &["applicant"], 3600, SECRET, AUDIENCE), "algorithm"),
    ];
    for (token, why) in refused {
        let (status, message) = me_status(&server, &token);
        assert_eq!(status, 401, "{why}: {message}");
        assert!(message.contains(why), "{why}: {message}");
    }
}

#[test]
fn hs256_tokens_are_checked_for_algorithm_expiry_audience_and_subject() {
    let server = Server::start(&databases("security-hs256")[0]);
    let signed = |claims: &Value, alg: Algorithm| {
        encode(&Header::new(alg), claims, &EncodingKey::from_secret(SECRET.as_bytes())).unwrap()
    };
    // Clocks differ by a few seconds between the host and here: 30 s of leeway, no more.
    assert_eq!(me_status(&server, &signed(&claims(-20), Algorithm::HS256)).0, 200, "expired 20 s ago");
    let mut no_aud = claims(3600);
    no_aud.as_object_mut().unwrap().remove("aud");
    let mut no_sub = claims(3600);
    no_sub.as_object_mut().unwrap().remove("sub");
    let mut empty_sub = claims(3600);
    empty_sub["sub"] = json!(" ");
    let mut other_aud = claims(3600);
    other_aud["aud"] = json!("another-system");
    let refused = [
        (signed(&claims(-40), Algorithm::HS256), "expired"),
        (signed(&no_aud, Algorithm::HS256), "claim"),
        (signed(&no_sub, Algorithm::HS256), "claim"),
        (signed(&empty_sub, Algorithm::HS256), "claim"),
        (signed(&other_aud, Algorithm::HS256), "audience"),
        (signed(&claims(3600), Algorithm::HS512), "algorithm"),
        (handmade("none", &claims(3600), b""), "algorithm is not accepted"),
        (token_rs256("host-private.pem", &claims(3600)), "algorithm"),
    ];
    for (token, why) in refused {
        let (status, message) = me_status(&server, &token);
        assert_eq!(status, 401, "{why}: {message}");
        assert!(message.contains(why), "{why}: {message}");
    }
}

/// A kexie.toml in a fresh folder; returns its path.
#[test]
fn forged_tokens_are_throttled_and_no_valid_token_is_refused_for_them() {
    let config = config_file("throttle", "[auth]\nfailures_per_minute = 5\ntrusted_proxies = [\"127.0.0.1\"]\n");
    let server = Server::start_extra(&databases("security-throttle")[0], &["--config", &config], &[]);
    let forged = |who: &str| token_for(who, &["applicant"], 3600, "another-secret-another-secret-another", AUDIENCE);
    let me = server.url("/me");
    let from = |client: &str, token: &str| {
        let (status, h, body) = call(
            "GET",
            &me,
            &[("Authorization", &bearer(token)), ("X-Forwarded-For", &format!("1.2.3.4, {client}"))],
            b"",
        );
        (status, h.get("retry-after").map(|v| v.to_str().unwrap().parse::<u64>().unwrap()), body)
    };
    // Everyone behind one proxy: a page reloading with an expired token is no guesser.
    let expired = token_for("li", &["applicant"], -3600, SECRET, AUDIENCE);
    for n in 1..=20 {
        assert_eq!(from("10.0.0.1", &expired).0, 401, "expired token {n}");
    }
    assert_eq!(from("10.0.0.1", &formation_token("zhou")).0, 200, "a colleague behind the same address");

    // Tokens forged for li: past the limit they get 429, and li's own token still works.
    for n in 1..=5 {
        assert_eq!(from("10.0.0.1", &forged("li")).0, 401, "forged token {n}");
    }
    let (status, retry, body) = from("10.0.0.1", &forged("li"));
    assert_eq!((status, code(&serde_json::from_str(&body).unwrap())), (429, "too_many_failures"), "{body}");
    assert!(matches!(retry, Some(1..=60)), "Retry-After: {retry:?}");
    assert_eq!(from("10.0.0.1", &formation_token("li")).0, 200, "a valid token is never refused for forged ones");
    assert_eq!(from("10.0.0.1", &formation_token("zhou")).0, 200);

    // A flood from one address, each forged token for someone else: ten times the limit,
    // then that address is refused before its tokens are read.
    for n in 0..50 {
        assert_eq!(from("10.0.0.9", &forged(&format!("user{n}"))).0, 401, "flood {n}");
    }
    assert_eq!(from("10.0.0.9", &forged("user99")).0, 429);
    let (status, _, _) = call("GET", &me, &[("X-Forwarded-For", "10.0.0.9")], b"");
    assert_eq!(status, 429, "the flooding address, whatever it sends");
    assert_eq!(from("10.0.0.2", &formation_token("li")).0, 200, "another client behind the same proxy is not");
}

#[test]
fn attachments_must_be_what_they_claim_and_download_inert() {
    let server = Server::start(&databases("security-files")[0]);
    let url = server.url("/attachments");
    let li = formation_token("li");
    let html = b"<html><script>alert(document.domain)</script></html>";
    for (media_type, content) in [("application/pdf", &html[..]), ("image/png", b"GIF89a"), ("image/jpeg", PDF)] {
        let (status, body) = post_raw(&url, &li, media_type, "x.bin", content).unwrap();
        assert_eq!((status, code(&body)), (415, "media_type"), "{media_type}: {body}");
        assert!(body["error"]["message"]["zh"].as_str().unwrap().contains("x.bin"), "{body}");
    }
    // Readers accept a PDF header after a few stray bytes, and so does the server.
    let (status, body) = post_raw(&url, &li, "application/pdf", "scan.pdf", b"\r\n%PDF-1.7 scan").unwrap();
    assert_eq!(status, 201, "{body}");
    let (id, sha) = li_draft_with_file(&server);
    let (status, h, body) =
        call("GET", &server.url(&format!("/attachments/{sha}?instance={id}")), &[("Authorization", &bearer(&li))], b"");
    assert_eq!((status, body.as_bytes()), (200, PDF));
    assert_eq!(h.get("content-type").unwrap(), "application/pdf");
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(h.get("content-disposition").unwrap(), "attachment");
    assert!(h.get("content-security-policy").unwrap().to_str().unwrap().starts_with("sandbox"));
    for bad in ["..%2F..%2Fetc%2Fpasswd", "ABC", &sha.to_uppercase()] {
        let (status, body) = get(&server.url(&format!("/attachments/{bad}?instance={id}")), Some(&li));
        assert_eq!((status, body["error"]["field"].as_str()), (400, Some("sha256")), "{bad}: {body}");
    }
}

#[test]
fn cors_answers_only_the_configured_origins_and_never_with_credentials() {
    let config = config_file("cors", "cors_origins = [\"https://oa.example.com\"]\n");
    let server = Server::start_extra(&databases("security-cors")[0], &["--config", &config], &[]);
    let preflight = |origin: &str| {
        let headers = [
            ("Origin", origin),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "authorization,content-type"),
        ];
        call("OPTIONS", &server.url("/instances"), &headers, b"").1
    };
    let allowed = preflight("https://oa.example.com");
    assert_eq!(allowed.get("access-control-allow-origin").unwrap(), "https://oa.example.com");
    assert!(allowed.get("access-control-allow-credentials").is_none(), "no cookies cross origins");
    // Every header the widget sends is allowed: an upload names its file in X-File-Name.
    let upload = [
        ("Origin", "https://oa.example.com"),
        ("Access-Control-Request-Method", "POST"),
        ("Access-Control-Request-Headers", "authorization,content-type,x-file-name"),
    ];
    let (_, h, _) = call("OPTIONS", &server.url("/attachments"), &upload, b"");
    let allowed_headers =
        h.get("access-control-allow-headers").and_then(|v| v.to_str().ok()).map(str::to_lowercase).unwrap_or_default();
    assert!(allowed_headers.contains("x-file-name"), "allowed: {allowed_headers:?}");
    assert!(preflight("https://evil.example").get("access-control-allow-origin").is_none());
    let (_, h, _) = call("GET", &server.url("/me"), &[("Origin", "https://evil.example")], b"");
    assert!(h.get("access-control-allow-origin").is_none());
    // Without cors_origins (the default) no origin is answered.
    let plain = Server::start(&databases("security-cors-off")[0]);
    let (_, h, _) = call("OPTIONS", &plain.url("/me"), &[("Origin", "https://oa.example.com")], b"");
    assert!(h.get("access-control-allow-origin").is_none());
}

#[test]
fn a_body_a_cross_site_form_could_send_is_refused() {
    let server = Server::start(&databases("security-csrf")[0]);
    let li = formation_token("li");
    let body = json!({ "workflow": "kexie-formation" }).to_string();
    for content_type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
        let headers = [("Authorization", bearer(&li)), ("Content-Type", content_type.to_string())];
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, _, text) = call("POST", &server.url("/instances"), &headers, body.as_bytes());
        assert!((400..500).contains(&status), "{content_type}: {status} {text}");
    }
    let (_, started) = get(&server.url("/started"), Some(&li));
    assert_eq!(started["total"], 0, "nothing was started");
}

#[test]
fn the_server_will_not_start_without_a_proper_key_and_never_prints_it() {
    for (secret, expect) in [("", "KEXIE_JWT_SECRET"), ("short-secret-123", "at least 32")] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kexie"))
            .args(["serve", "--port", "0", "--db"])
            .arg(std::env::temp_dir().join(format!("kexie-security-{}-nokey.db", std::process::id())))
            .env("KEXIE_JWT_SECRET", secret)
            .env_remove("KEXIE_JWT_PUBLIC_KEY")
            .env_remove("DATABASE_URL")
            .current_dir(std::env::temp_dir())
            .output()
            .unwrap();
        let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!out.status.success() && said.contains(expect), "{secret:?}: {said}");
        assert!(secret.is_empty() || !said.contains(secret), "the secret is printed: {said}");
    }
}

/// A file belongs to whoever uploaded it until an instance holds it, then to that
/// instance's readers. Before, a user who learnt another's file hash put it in a draft of
/// their own and downloaded it through that draft, a form could name a file never
/// uploaded, and 404 against 403 told anyone whether a file existed (issue 12).
#[test]
fn a_file_is_its_uploaders_until_an_instance_holds_it() {
    let server = Server::start(&databases("security-owners")[0]);
    sync_directory(&server, FORMATION_PEOPLE);
    // chen is an applicant too here: he may start the workflow, with files of his own.
    let (li, chen) = (formation_token("li"), token_of("chen", "陈刚", "tech-center", &["applicant"]));
    let (li_draft, sha) = li_draft_with_file(&server);
    let start = |token: &str, form: Value| {
        post(&server.url("/instances"), Some(token), &json!({ "workflow": "kexie-formation", "form": form }))
    };
    let file = |sha: &str, size: usize| json!({ "name": "章程.pdf", "size": size, "media_type": "application/pdf", "sha256": sha });

    // chen names li's file in his own draft: refused, as is a file never uploaded, or li's
    // own file with another size than she uploaded.
    let never = "0".repeat(64);
    for (who, named) in [(&chen, file(&sha, PDF.len())), (&li, file(&never, 10)), (&li, file(&sha, PDF.len() + 1))] {
        let mut form = formation_form();
        form["charter_draft"] = named.clone();
        let (status, body) = start(who, form);
        assert_eq!((status, code(&body)), (422, "attachment_not_uploaded"), "{named}: {body}");
        assert_eq!(body["error"]["field"], "charter_draft");
    }
    // Nor can he add it to his draft later.
    let (status, chen_draft) = start(&chen, formation_form_of(&server, &chen));
    assert_eq!(status, 201, "{chen_draft}");
    let chen_draft = chen_draft["id"].as_str().unwrap().to_string();
    let save = json!({ "action": "save_draft", "changes": { "charter_draft": file(&sha, PDF.len()) } });
    let (status, body) = act(&server, &chen, &chen_draft, 1, save);
    assert_eq!((status, code(&body)), (422, "attachment_not_uploaded"), "{body}");

    // The hash typed into a text field of his draft opens nothing, and every way chen asks
    // for li's file answers exactly as for a file that does not exist.
    let save = json!({ "action": "save_draft", "changes": { "industry": sha } });
    assert_eq!(act(&server, &chen, &chen_draft, 1, save).0, 200);
    let answer = |token: &str, path: String| {
        let (status, _, body) = call("GET", &server.url(&path), &[("Authorization", &bearer(token))], b"");
        (status, body)
    };
    for through in [format!("?instance={chen_draft}"), format!("?instance={li_draft}"), String::new()] {
        let theirs = answer(&chen, format!("/attachments/{sha}{through}"));
        let missing = answer(&chen, format!("/attachments/{never}{through}"));
        assert_eq!(theirs.0, 403, "{through}: {}", theirs.1);
        assert_eq!(theirs, missing, "{through}");
    }

    // Li reads her file without an instance (it is hers) and through her draft, and the
    // draft keeps it through her own changes; administrators read it.
    assert_eq!(answer(&li, format!("/attachments/{sha}")).0, 200);
    assert_eq!(answer(&li, format!("/attachments/{sha}?instance={li_draft}")).0, 200);
    let keep =
        json!({ "action": "save_draft", "changes": { "charter_draft": file(&sha, PDF.len()), "industry": "新材料" } });
    assert_eq!(act(&server, &li, &li_draft, 1, keep).0, 200);
    let admin = token_of("root", "系统管理员", "it", &["admin"]);
    assert_eq!(answer(&admin, format!("/attachments/{sha}")).0, 200);
}

/// A token that leaves out `name`, `dept` or `roles` leaves what the directory holds:
/// before, such a token cleared the person's roles, and the next submit found nobody to
/// assign (409 `no_assignees`). Administration still comes only from a token's own roles.
#[test]
fn a_token_without_name_or_roles_keeps_what_the_directory_holds() {
    let server = Server::start(&databases("security-claims")[0]);
    sync_directory(&server, FORMATION_PEOPLE);
    let secret_token =
        |claims: Value| encode(&Header::default(), &claims, &EncodingKey::from_secret(SECRET.as_bytes()));
    let bare = |sub: &str| secret_token(json!({ "sub": sub, "exp": now() + 3600, "aud": "kexie-flow" })).unwrap();
    let (_, admin_me) = get(&server.url("/me"), Some(&token_of("root", "系统管理员", "it", &["admin"])));
    assert_eq!(admin_me["admin"], true);

    let (status, me) = get(&server.url("/me"), Some(&bare("zhou")));
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["roles"], json!(["party_org"]), "{me}");
    let (_, me) = get(&server.url("/me"), Some(&bare("root")));
    assert_eq!((me["roles"].clone(), me["admin"].clone()), (json!(["admin"]), json!(false)), "{me}");
    // zhou is still the party organisation: li's submit finds him.
    let (id, view) = submitted_formation(&server);
    assert_eq!(view["waiting_for"], json!(["zhou"]), "{id}: {view}");
    // A token that says the roles wins over the directory.
    let (_, me) = get(&server.url("/me"), Some(&token_of("zhou", "周强", "party", &[])));
    assert_eq!(me["roles"], json!([]), "{me}");
}

/// `aud` may be a list that names this server (RFC 7519), and the scheme may be written in
/// any case (RFC 7235); both were refused.
#[test]
fn an_audience_list_and_a_lower_case_scheme_are_accepted() {
    let server = Server::start(&databases("security-aud")[0]);
    let signed = |aud: Value| {
        let claims = json!({ "sub": "li", "name": "李明", "roles": ["applicant"], "exp": now() + 3600, "aud": aud });
        encode(&Header::default(), &claims, &EncodingKey::from_secret(SECRET.as_bytes())).unwrap()
    };
    let me = |auth: String| call("GET", &server.url("/me"), &[("Authorization", &auth)], b"").0;
    assert_eq!(me(format!("Bearer {}", signed(json!(["oa-portal", "kexie-flow"])))), 200);
    assert_eq!(me(format!("Bearer {}", signed(json!(["oa-portal"])))), 401);
    assert_eq!(me(format!("bearer {}", signed(json!("kexie-flow")))), 200);
    assert_eq!(me(format!("BEARER {}", signed(json!("kexie-flow")))), 200);
    assert_eq!(me(format!("Basic {}", signed(json!("kexie-flow")))), 401);
}

/// A request id reused with another body is refused (422 `request_id_reused`) instead of
/// being answered silently with the first request's response; the same body still gets it.
#[test]
fn a_request_id_reused_for_another_request_is_refused() {
    let server = Server::start(&databases("security-reuse")[0]);
    sync_directory(&server, FORMATION_PEOPLE);
    let (id, view) = submitted_formation(&server);
    let rev = view["revision"].as_u64().unwrap();
    let zhou = formation_token("zhou");
    let url = server.url(&format!("/instances/{id}/actions"));
    let send =
        |action: Value| post(&url, Some(&zhou), &json!({ "request_id": "r-1", "revision": rev, "action": action }));
    let first = send(json!({ "action": "comment", "text": "请补充章程第三章。" }));
    assert_eq!(first.0, 200, "{}", first.1);
    assert_eq!(send(json!({ "action": "comment", "text": "请补充章程第三章。" })), first, "the same request replays");
    // A retry after 409 carries the revision it was shown: still the same request.
    let retry = json!({ "request_id": "r-1", "revision": rev + 1,
        "action": { "action": "comment", "text": "请补充章程第三章。" } });
    assert_eq!(post(&url, Some(&zhou), &retry), first, "a retry on a newer revision replays");
    let (status, body) = send(json!({ "action": "approve", "changes": { "party_opinion": "同意" } }));
    assert_eq!((status, code(&body)), (422, "request_id_reused"), "{body}");
    assert_eq!(body["error"]["field"], "request_id");
    let (_, now) = get(&server.url(&format!("/instances/{id}")), Some(&zhou));
    assert_eq!(now["step"], "party", "nothing was applied: {now}");
}

/// Every parameter the OpenAPI document declares is where the API reads it: a name in
/// the path template is a path parameter, any other a query parameter (the download's
/// `instance` was declared a required path parameter).
#[test]
fn the_openapi_document_puts_each_parameter_where_it_is_read() {
    let server = Server::start(&databases("security-openapi")[0]);
    let (_, doc) = get(&server.url("/openapi.json"), None);
    let mut seen = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (_, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                let expected = if path.contains(&format!("{{{name}}}")) { "path" } else { "query" };
                assert_eq!(p["in"], expected, "{path} {name}: {p}");
                seen += 1;
            }
        }
    }
    let download = &doc["paths"]["/api/v1/attachments/{sha256}"]["get"]["parameters"];
    let instance = download.as_array().unwrap().iter().find(|p| p["name"] == "instance").unwrap();
    assert_eq!((instance["in"].as_str(), instance["required"].as_bool()), (Some("query"), Some(false)), "{instance}");
    assert!(seen > 5);
}

/// The directory the pickers search shows names and departments, never roles.
#[test]
fn the_directory_search_shows_no_roles() {
    let server = Server::start(&databases("security-directory")[0]);
    sync_directory(&server, FORMATION_PEOPLE);
    let (status, page) = get(&server.url("/directory?q=zhou"), Some(&formation_token("li")));
    assert_eq!(status, 200, "{page}");
    let zhou = page["people"].as_array().unwrap().iter().find(|p| p["id"] == "zhou").unwrap().clone();
    assert!(zhou.get("roles").is_none() && !page.to_string().contains("party_org"), "{page}");
}

/// A page number far past the end is refused (400), not multiplied into an overflow that
/// dropped the connection (found by schemathesis once `page` was declared a query
/// parameter); the last page allowed answers, empty.
#[test]
fn a_page_far_past_the_end_is_refused() {
    let server = Server::start(&databases("security-pages")[0]);
    let li = formation_token("li");
    for list in ["tasks", "started", "cc"] {
        let (status, body) = get(&server.url(&format!("/{list}?page=461168601842738792")), Some(&li));
        assert_eq!((status, code(&body)), (400, "bad_request"), "{list}: {body}");
        let (status, body) = get(&server.url(&format!("/{list}?page=1000000&per_page=100")), Some(&li));
        assert_eq!((status, body["items"].as_array().map(Vec::len)), (200, Some(0)), "{list}: {body}");
    }
}

//! Tokens checked with the keys a host's identity provider publishes (JWKS), served by a
//! process of its own (server/tests/fixtures/jwks.py): RS256 and ES256 keys chosen by
//! `kid`, a rotation taken without a restart, and made-up `kid`s asking the provider at
//! most once per `jwks_refresh_secs`.

mod support;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::json;
use support::*;

/// The provider's key endpoint, killed when dropped; each request is a line in `log`.
struct Provider {
    child: Child,
    port: u16,
    keys: PathBuf,
    log: PathBuf,
}

impl Provider {
    fn start(name: &str, keys: &str) -> Provider {
        let dir = std::env::temp_dir().join(format!("kexie-idp-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (log, file) = (dir.join("requests.log"), dir.join("jwks.json"));
        let _ = std::fs::remove_file(&log);
        let provider_keys = file.clone();
        let mut child = Command::new("python3")
            .arg(fixture("jwks.py"))
            .args(["--file", file.to_str().unwrap(), "--log", log.to_str().unwrap()])
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the key endpoint");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let provider = Provider { child, port: line.trim().parse().expect("its port"), keys: provider_keys, log };
        provider.publish(keys);
        provider
    }

    /// Publishes the key set in fixture `keys` (a rotation, when it changes).
    fn publish(&self, keys: &str) {
        std::fs::copy(fixture(keys), &self.keys).unwrap();
    }

    fn requests(&self) -> usize {
        std::fs::read_to_string(&self.log).map_or(0, |l| l.lines().count())
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn fixture(name: &str) -> PathBuf {
    repo().join("server/tests/fixtures").join(name)
}

/// A token for `sub` signed with the private key in fixture `pem`, naming key `kid`.
fn signed(algorithm: Algorithm, pem: &str, kid: &str, sub: &str) -> String {
    let pem = std::fs::read(fixture(pem)).unwrap();
    let key = match algorithm {
        Algorithm::ES256 => EncodingKey::from_ec_pem(&pem).unwrap(),
        _ => EncodingKey::from_rsa_pem(&pem).unwrap(),
    };
    let exp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 3600;
    let claims = json!({ "sub": sub, "name": "李明", "roles": ["applicant"], "exp": exp, "aud": AUDIENCE });
    let header = Header { kid: Some(kid.into()), ..Header::new(algorithm) };
    encode(&header, &claims, &key).unwrap()
}

fn me(server: &Server, token: &str) -> (u16, String) {
    let (status, body) = get(&server.url("/me"), Some(token));
    (status, body["error"]["message"]["en"].as_str().unwrap_or_default().to_string())
}

/// A key endpoint publishing `jwks-before.json`, and a server checking tokens with its keys
/// (read again at most every 2 s, so the tests need not wait minutes).
fn with_provider(name: &str, db: &str) -> (Provider, Server) {
    let idp = Provider::start(name, "jwks-before.json");
    let config = format!("[auth]\njwks_url = \"http://127.0.0.1:{}/jwks.json\"\njwks_refresh_secs = 2\n", idp.port);
    let server = Server::start_extra(db, &["--config", &config_file(name, &config)], &[]);
    (idp, server)
}

#[test]
fn keys_rotated_at_the_identity_provider_are_taken_without_a_restart() {
    for (k, db) in databases("jwks").into_iter().enumerate() {
        rotation(&format!("rotation-{k}"), &db);
    }
}

fn rotation(name: &str, db: &str) {
    let (idp, server) = with_provider(name, db);

    let rs256 = signed(Algorithm::RS256, "host-private.pem", "host-2026", "li");
    assert_eq!(me(&server, &rs256).0, 200, "the provider's RS256 key, by its kid");
    let es256 = signed(Algorithm::ES256, "ec-private.pem", "host-2027", "li");
    std::thread::sleep(Duration::from_millis(2100));
    let (status, why) = me(&server, &es256);
    assert_eq!(status, 401, "not published yet: {why}");
    assert!(why.contains("not one the identity provider publishes"), "{why}");

    idp.publish("jwks-after.json");
    std::thread::sleep(Duration::from_millis(2100));
    assert_eq!(me(&server, &es256).0, 200, "the new ES256 key, after the rotation, without a restart");
    assert_eq!(me(&server, &rs256).0, 200, "the old key still published");

    let refused = [
        (signed(Algorithm::RS256, "other-private.pem", "host-2026", "li"), "signature"),
        (signed(Algorithm::RS256, "host-private.pem", "host-2027", "li"), "algorithm"),
        (token_for("li", &["applicant"], 3600, SECRET, AUDIENCE), "names no key"),
    ];
    for (token, why) in refused {
        let (status, message) = me(&server, &token);
        assert_eq!(status, 401, "{why}: {message}");
        assert!(message.contains(why), "{why}: {message}");
    }
}

#[test]
fn a_forgers_made_up_key_ids_ask_the_provider_at_most_once_per_interval() {
    for (k, db) in databases("jwks-forger").into_iter().enumerate() {
        forger(&format!("forger-{k}"), &db);
    }
}

fn forger(name: &str, db: &str) {
    let (idp, server) = with_provider(name, db);
    std::thread::sleep(Duration::from_millis(2100));
    let (before, started) = (idp.requests(), Instant::now());
    for n in 0..60 {
        let forged = signed(Algorithm::RS256, "other-private.pem", &format!("made-up-{n}"), &format!("forger-{n}"));
        assert_eq!(me(&server, &forged).0, 401);
    }
    let asked = idp.requests() - before;
    let allowed = 1 + started.elapsed().as_secs() as usize / 2;
    assert!(
        (1..=allowed).contains(&asked),
        "60 made-up kids in {:?} asked the provider {asked} times",
        started.elapsed()
    );
}

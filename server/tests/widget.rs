//! The built widget at `/kexie/`: media types, precompressed files, revalidation, no
//! traversal, no CSP of the portal's. Spoken as raw HTTP/1.1 so that no client adds or
//! undoes an encoding or tidies a path.

mod support;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;

use support::*;

const JS: &str = "export default function init() { return 42; }\n";
const GZ: &[u8] = b"\x1f\x8b pretend-gzip";
const WASM: &[u8] = b"\0asm\x01\0\0\0";

/// Where build.sh puts every file but the loader: named by their content's hash.
const BUILD: &str = "build-0123456789ab";

const SECRET_FILE: &str = "not for the web";

/// A folder as `scripts/build.sh` leaves it, in miniature, beside a file that must stay
/// out of reach.
fn widget_dir(name: &str) -> PathBuf {
    let base = std::env::temp_dir().join(format!("kexie-widget-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let dir = base.join("dist");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(base.join("secret.txt"), SECRET_FILE).unwrap();
    std::fs::write(dir.join("kexie_widget.js"), JS).unwrap();
    std::fs::write(dir.join("kexie_widget.js.gz"), GZ).unwrap();
    let build = dir.join(BUILD);
    std::fs::create_dir_all(&build).unwrap();
    std::fs::write(build.join("kexie_widget_bg.wasm"), WASM).unwrap();
    std::fs::write(build.join("kexie.css"), "kexie-flow { display: block }").unwrap();
    dir
}

struct Reply {
    status: u16,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// One GET of `target` exactly as written, with `headers`.
fn raw_get(server: &Server, target: &str, headers: &[(&str, &str)]) -> Reply {
    let host = server.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).unwrap();
    let mut request = format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    let split = bytes.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response");
    let head = String::from_utf8_lossy(&bytes[..split]).to_string();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Reply { status, headers, body: bytes[split + 4..].to_vec() }
}

#[test]
fn the_widget_is_served_with_its_media_types_encodings_and_revalidation() {
    let db = &databases("widget")[0];
    let dir = widget_dir("served");
    let server = Server::start_extra(db, &["--demo"], &[("KEXIE_WIDGET_DIR", dir.to_str().unwrap())]);

    let js = raw_get(&server, "/kexie/kexie_widget.js", &[]);
    assert_eq!(js.status, 200);
    assert!(js.header("content-type").unwrap().starts_with("text/javascript"), "{:?}", js.headers);
    assert_eq!(js.header("content-encoding"), None, "no gzip unless asked for");
    assert_eq!(js.body, JS.as_bytes());
    assert_eq!(js.header("cache-control"), Some("no-cache"));
    assert_eq!(js.header("vary"), Some("accept-encoding"));
    assert_eq!(js.header("content-security-policy"), None, "the portal's CSP is not the widget's");
    assert_eq!(js.header("x-content-type-options"), Some("nosniff"), "taken as the type it says");

    let gz = raw_get(&server, "/kexie/kexie_widget.js", &[("Accept-Encoding", "gzip")]);
    assert_eq!(gz.status, 200);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert!(gz.header("content-type").unwrap().starts_with("text/javascript"), "the type of what it encodes");
    assert_eq!(gz.body, GZ, "the .gz file as it is");
    assert_eq!(gz.header("cache-control"), Some("no-cache"));

    let br = raw_get(&server, "/kexie/kexie_widget.js", &[("Accept-Encoding", "br")]);
    assert_eq!((br.header("content-encoding"), br.body.as_slice()), (None, JS.as_bytes()), "no .br: the plain file");

    let wasm = raw_get(&server, &format!("/kexie/{BUILD}/kexie_widget_bg.wasm"), &[("Accept-Encoding", "gzip, br")]);
    assert_eq!((wasm.status, wasm.header("content-type")), (200, Some("application/wasm")));
    assert_eq!(wasm.body, WASM);
    // A built file's name changes with its content: browsers keep it without asking again.
    assert_eq!(wasm.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert_eq!(wasm.header("vary"), Some("accept-encoding"));

    let css = raw_get(&server, &format!("/kexie/{BUILD}/kexie.css"), &[]);
    assert!(css.header("content-type").unwrap().starts_with("text/css"), "{:?}", css.headers);

    // What is not there must not be kept as missing for a year.
    let gone = raw_get(&server, &format!("/kexie/{BUILD}/gone.js"), &[]);
    assert_eq!((gone.status, gone.header("cache-control")), (404, Some("no-cache")));

    // The loader's name stays: a client revalidates and gets 304 while it is unchanged.
    let since = js.header("last-modified").expect("Last-Modified to revalidate with").to_string();
    let again = raw_get(&server, "/kexie/kexie_widget.js", &[("If-Modified-Since", &since)]);
    assert_eq!((again.status, again.body.len()), (304, 0));

    for target in [
        "/kexie/missing.js",
        "/kexie/../secret.txt",
        "/kexie/%2e%2e/secret.txt",
        "/kexie/..%2fsecret.txt",
        "/kexie/./../secret.txt",
        "/kexie/..%5csecret.txt",
    ] {
        let r = raw_get(&server, target, &[]);
        assert_eq!(r.status, 404, "{target}");
        assert!(!String::from_utf8_lossy(&r.body).contains(SECRET_FILE), "{target}");
    }

    // API answers are compressed for a client that accepts it, and only then.
    let doc = raw_get(&server, "/api/v1/openapi.json", &[("Accept-Encoding", "gzip")]);
    assert_eq!((doc.status, doc.header("content-encoding")), (200, Some("gzip")));
    let plain = raw_get(&server, "/api/v1/openapi.json", &[]);
    assert_eq!(plain.header("content-encoding"), None);
    assert!(doc.body.len() * 3 < plain.body.len(), "{} of {} bytes", doc.body.len(), plain.body.len());

    // The portal keeps its CSP, which lets it import the widget from its own origin.
    let portal = raw_get(&server, "/", &[]);
    assert!(portal.header("content-security-policy").unwrap().contains("script-src 'self'"));
}

#[test]
fn without_a_built_widget_kexie_answers_404_and_the_api_serves() {
    let db = &databases("no-widget")[0];
    let missing = std::env::temp_dir().join(format!("kexie-widget-{}-none", std::process::id()));
    let _ = std::fs::remove_dir_all(&missing);
    let server = Server::start_extra(db, &[], &[("KEXIE_WIDGET_DIR", missing.to_str().unwrap())]);
    assert_eq!(raw_get(&server, "/kexie/kexie_widget.js", &[]).status, 404);
    assert_eq!(raw_get(&server, "/kexie/", &[]).status, 404);
    let (status, me) = get(&server.url("/me"), Some(&token("li", &["applicant"])));
    assert_eq!((status, me["id"].as_str()), (200, Some("li")));
}

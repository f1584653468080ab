//! `kexie serve`: publish `workflows/`, then serve the API (and the demo portal).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::serve::ListenerExt;
use kexie_engine::text::Lang;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::auth::Keys;
use crate::config::{Config, WebhookConfig};
use crate::demo::Inbox;
use crate::mail::Mailer;
use crate::outbox::Receiver;
use crate::publish::{Loaded, PublishError, load};
use crate::state::AppState;
use crate::store::{Store, Subscription};
use crate::webhooks::Hook;
use crate::{api, demo, folder, mail, outbox, overdue};

/// Flags of `kexie serve`; they win over kexie.toml and the environment.
#[derive(clap::Args, Debug, Clone)]
pub struct ServeArgs {
    /// Configuration file (default: ./kexie.toml if present).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// SQLite database file (default: data/kexie.db; DATABASE_URL may name PostgreSQL).
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Address to listen on (default 127.0.0.1).
    #[arg(long)]
    pub bind: Option<String>,
    /// Port (default 8080).
    #[arg(long)]
    pub port: Option<u16>,
    /// Folder of workflow definitions to publish on start.
    #[arg(long)]
    pub workflows: Option<PathBuf>,
    /// Serve the demo OA portal with its user switcher and token endpoint.
    #[arg(long)]
    pub demo: bool,
}

/// Builds everything and serves until Ctrl-C or SIGTERM.
pub async fn run(args: ServeArgs) -> Result<(), String> {
    let mut config = Config::load(args.config.as_deref())?;
    if let Some(db) = &args.db {
        config.database = format!("sqlite://{}", db.display());
    }
    config.bind = args.bind.clone().unwrap_or(config.bind);
    config.port = args.port.unwrap_or(config.port);
    config.workflows = args.workflows.clone().unwrap_or(config.workflows);
    if args.demo && config.auth.hs256_secret.is_none() && config.auth.rs256_public_key.is_none() {
        // Demo tokens only: a fresh secret per start (the portal asks for new tokens).
        config.auth.hs256_secret = Some(format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple()));
    }
    if args.demo && config.organisation.is_none() {
        config.organisation = Some(demo::ORGANISATION.into()); // the portal's own header
    }
    if let Some(file) = config.sqlite_file()
        && let Some(dir) = file.parent()
    {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let keys = Keys::from_config(&config.auth).await?;
    kexie_engine::rules::budget::set_time_limit(std::time::Duration::from_millis(config.rules.time_ms));
    let listener = tokio::net::TcpListener::bind((config.bind.as_str(), config.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", config.bind, config.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let inbox = if args.demo { Some(demo_receiver(&mut config, addr)?) } else { None };
    let store = Store::connect(&config.database).await.map_err(|e| e.to_string())?;
    let indexed = store.index_for_reports().await.map_err(|e| e.to_string())?;
    if indexed > 0 {
        println!("indexed {indexed} instances for reports");
    }
    let (receivers, subscriptions) = receivers(&config, &store)?;
    let store = store.subscribe(subscriptions);
    outbox::start(receivers, store.clone())?;
    let state = AppState::new(config.clone(), store, keys, args.demo);
    overdue::start(state.clone());
    if args.demo {
        for user in demo::users() {
            state.remember(&user.actor()).await.map_err(|e| format!("{:?}", e.message))?;
        }
    }
    // After the demo's people: the roles a folder names are checked against them.
    publish_folder(&state).await?;
    let app = app(state.clone(), inbox);
    println!("Kexie Flow serving on http://{addr}/ {}", if args.demo { "(demo portal)" } else { "(API at /api/v1)" });
    // Small responses go out at once rather than waiting on Nagle's algorithm (which cost a
    // reused browser connection 40 ms per file).
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await.map_err(|e| e.to_string())?;
    println!("stopped");
    Ok(())
}

/// Where the outbox sends events: each webhook, and mail if configured; and which events
/// each takes.
fn receivers(config: &Config, store: &Store) -> Result<(Vec<Receiver>, Vec<Subscription>), String> {
    let mut receivers = Vec::new();
    let mut subscriptions = Vec::new();
    for hook in &config.webhooks {
        let receiver = Receiver::Hook(Hook::of(hook)?);
        subscriptions.push(receiver.subscription(hook.events.clone()));
        receivers.push(receiver);
    }
    if let Some(email) = &config.email {
        let receiver = Receiver::Mail(Arc::new(Mailer::of(email, store.clone(), config.events.task_url.clone())?));
        subscriptions.push(receiver.subscription(mail::EVENTS.map(String::from).to_vec()));
        receivers.push(receiver);
    }
    Ok((receivers, subscriptions))
}

/// The demo's to-do centre, subscribed as one more receiver of every event at this
/// server's own address (over loopback, signed, as any OA's would be). With SQLite it
/// keeps what it was told beside the database.
fn demo_receiver(config: &mut Config, addr: SocketAddr) -> Result<Arc<Inbox>, String> {
    // Bound to every address: reach it over the loopback of the same family.
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let url = format!("http://{}/demo/receiver", SocketAddr::new(ip, addr.port()));
    let file = config.sqlite_file().map(|db| PathBuf::from(format!("{}.inbox.json", db.display())));
    let inbox = Inbox::open(uuid::Uuid::new_v4().simple().to_string(), file)?;
    config.webhooks.push(WebhookConfig { url, secret: Some(inbox.secret().into()), ..WebhookConfig::default() });
    Ok(inbox)
}

/// The whole application: API, widget, portal in demo mode, limits and CORS (hosts on
/// other origins import the widget as a module script, which is fetched with CORS too).
pub fn app(state: AppState, inbox: Option<Arc<Inbox>>) -> Router {
    let limits = &state.config.limits;
    // JSON compresses well (a 300-field definition: 152 KB → 11 KB); the widget's files are
    // compressed once at build time instead.
    let api = api::router(limits.attachment_bytes)
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .layer(CompressionLayer::new());
    let mut app = Router::new().nest("/api/v1", api).nest_service("/kexie", widget(&state.config.widget_dir));
    if let Some(inbox) = inbox {
        app = app.merge(demo::router(inbox));
    }
    let origins: Vec<HeaderValue> = state.config.cors_origins.iter().filter_map(|o| o.parse().ok()).collect();
    if !origins.is_empty() {
        let cors = CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
            // Every header the widget sends (an upload names its file in X-File-Name).
            .allow_headers([
                axum::http::header::AUTHORIZATION,
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderName::from_static("x-file-name"),
            ]);
        app = app.layer(cors);
    }
    // Browsers must take every response as the type it says it is.
    let nosniff =
        SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    app.layer(nosniff).with_state(state)
}

/// The built widget's files. A missing folder is only warned about: `/kexie/*` answers 404
/// until it is built (the folder is read per request, so no restart is needed then).
fn widget(dir: &Path) -> Router {
    if !dir.is_dir() {
        let how = "build it with scripts/build.sh, or set widget_dir / KEXIE_WIDGET_DIR";
        eprintln!("warning: no widget at {}: /kexie/ answers 404 until it exists ({how})", dir.display());
    }
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    Router::new().fallback_service(files).layer(axum::middleware::from_fn(cache))
}

/// `scripts/build.sh` puts every file but the loader in `build-<content hash>/`: a changed
/// file comes under a new name, so those are kept without asking again. Hosts import the
/// loader by a fixed name (`element.js`, `kexie_widget.js`), so clients revalidate that
/// (Last-Modified). Caches must keep the .br/.gz variants apart.
async fn cache(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let hashed = req.uri().path().starts_with("/build-");
    let mut res = next.run(req).await;
    let found = res.status().is_success() || res.status() == axum::http::StatusCode::NOT_MODIFIED;
    let keep = hashed && found;
    let headers = res.headers_mut();
    let control = if keep { "public, max-age=31536000, immutable" } else { "no-cache" };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(control));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    res
}

fn say_loaded(key: &str, loaded: Loaded) {
    match loaded {
        Loaded::New { version, superseded: None } => println!("published {key} version {version}"),
        Loaded::New { version, superseded: Some((old, by)) } => {
            println!("published {key} version {version}: the folder changed; it supersedes version {old} by {by}")
        }
        Loaded::Unchanged(v) => println!("{key} version {v} unchanged"),
        Loaded::Kept { version, by, folder } => {
            println!("{key}: kept version {version} by {by}; the folder is unchanged (version {folder}'s texts)")
        }
    }
}

/// Publishes every workflow folder that changed since this loader last published it (see
/// [`load`]: a version published from the rule editor since is kept); a broken folder is
/// reported and skipped (its previous version keeps serving).
async fn publish_folder(state: &AppState) -> Result<(), String> {
    let dir = &state.config.workflows;
    let dirs = folder::find(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let now = state.now().to_string();
    for d in dirs {
        let bundle = folder::bundle(&d).map_err(|e| e.to_string())?;
        let note = format!("载入自 {}", d.display());
        match load(state, &bundle, &note, &now).await {
            Ok((key, loaded, warnings)) => {
                // The diagnostics name workflow.toml; the folder tells which one.
                warnings.iter().for_each(|w| eprintln!("{}/{}", d.display(), w.render(Lang::En)));
                say_loaded(&key, loaded);
            }
            Err(PublishError::Invalid(checked)) => {
                eprintln!("{}: not published:", d.display());
                checked.problems(Lang::En).iter().for_each(|p| eprintln!("  {p}"));
            }
            Err(e) => return Err(format!("{}: {e}", d.display())),
        }
    }
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

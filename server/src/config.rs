//! Configuration: `kexie.toml`, then environment variables, then command-line flags.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Everything `kexie serve` needs to know.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on (`KEXIE_BIND`).
    pub bind: String,
    /// Port (`KEXIE_PORT`).
    pub port: u16,
    /// `sqlite://data/kexie.db` or `postgres://…` (`DATABASE_URL`).
    pub database: String,
    /// The folder of workflow definitions published on start.
    pub workflows: PathBuf,
    /// The built browser widget (`scripts/build.sh`), served at `/kexie/` (`KEXIE_WIDGET_DIR`).
    pub widget_dir: PathBuf,
    /// UTC offset of the enterprise, in hours: it decides what "today" is for the rules.
    pub utc_offset_hours: i8,
    /// Token verification.
    pub auth: AuthConfig,
    /// Size and type limits.
    pub limits: Limits,
    pub rules: RulesConfig,
    /// What the systems around Kexie are told (`GET /events`).
    pub events: EventsConfig,
    /// Receivers the events are posted to (`[[webhooks]]`).
    pub webhooks: Vec<WebhookConfig>,
    /// Mail to people about their tasks (`[email]`); none when left out.
    pub email: Option<EmailConfig>,
    /// Host origins allowed to call the API from a browser.
    pub cors_origins: Vec<String>,
    /// The enterprise's name, at the head of every printed record (审批单).
    pub organisation: Option<String>,
}

/// How tokens are verified.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// The `aud` claim tokens must carry.
    pub audience: String,
    /// HS256 shared secret (`KEXIE_JWT_SECRET`).
    pub hs256_secret: Option<String>,
    /// RS256: path of the host's public key, PEM (`KEXIE_JWT_PUBLIC_KEY`).
    pub rs256_public_key: Option<PathBuf>,
    /// The host identity provider's key set (JWKS), by URL (`KEXIE_JWKS_URL`) or file:
    /// RS256 and ES256 keys chosen by each token's `kid`. Wins over the two above.
    pub jwks_url: Option<String>,
    pub jwks_file: Option<PathBuf>,
    /// Seconds between two readings of the key set when tokens name unknown keys.
    pub jwks_refresh_secs: u64,
    /// The role that may publish definitions.
    pub admin_role: String,
    /// Failed token checks a minute after which a client address is refused for the rest
    /// of the minute (429); 0 turns this off.
    pub failures_per_minute: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for the limit above).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// Request limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest JSON body, in bytes.
    pub body_bytes: usize,
    /// Largest attachment, in bytes.
    pub attachment_bytes: usize,
    /// Media types an attachment may have.
    pub attachment_types: Vec<String>,
}

/// Integration events: the outbox an OA's to-do centre reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EventsConfig {
    /// Where an assignee acts on a task, for the events' `task.url`: `{instance}` and
    /// `{task}` are filled in (e.g. `https://oa.example.com/kexie?instance={instance}`).
    pub task_url: Option<String>,
    /// Besides administrators, the role that may read the event feed (an OA's service
    /// account).
    pub feed_role: String,
}

/// A receiver of events: every event (or those of `events`) is posted to `url`, signed
/// with `secret` (`Kexie-Signature`), until it answers 2xx.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub url: String,
    /// The shared secret; or name the environment variable that holds it.
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub secret_env: Option<String>,
    /// Event types to send (`task.created`, …); all when empty.
    #[serde(default)]
    pub events: Vec<String>,
}

impl WebhookConfig {
    /// The secret, from the file or the environment.
    pub fn secret(&self) -> Result<String, String> {
        let from_env = self.secret_env.as_deref().and_then(|k| std::env::var(k).ok());
        from_env.or_else(|| self.secret.clone()).filter(|s| s.len() >= 16).ok_or_else(|| {
            format!(
                "webhook {}: give a secret of at least 16 characters (secret, or secret_env naming a variable)",
                self.url
            )
        })
    }
}

/// The SMTP server mail goes through: new, overdue and reminded tasks and returned
/// applications, to people whose directory entry has an address (`mail.rs`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    pub host: String,
    /// 587 by default (submission with STARTTLS).
    #[serde(default = "EmailConfig::default_port")]
    pub port: u16,
    #[serde(default)]
    pub tls: Tls,
    /// The sender, e.g. `科协流程 <kexie@example.com>`.
    pub from: String,
    #[serde(default)]
    pub username: Option<String>,
    /// The password; or name the environment variable that holds it.
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub password_env: Option<String>,
}

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tls {
    /// Plain, then upgraded with STARTTLS, which must succeed.
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    #[serde(rename = "tls")]
    Implicit,
    /// Never encrypted: only for a relay on the same host or a test server.
    None,
}

impl EmailConfig {
    fn default_port() -> u16 {
        587
    }

    /// The password, from the environment or the file.
    pub fn password(&self) -> Option<String> {
        self.password_env.as_deref().and_then(|k| std::env::var(k).ok()).or_else(|| self.password.clone())
    }
}

impl Default for EventsConfig {
    fn default() -> Self {
        EventsConfig { task_url: None, feed_role: "integration".into() }
    }
}

/// How the server runs rules (`workers.rs`, `kexie_engine::rules::budget`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RulesConfig {
    /// Wall-clock budget of one rule call, in milliseconds.
    pub time_ms: u64,
    /// Engine jobs (loading, evaluating, acting, publishing) that run at once; 0 is one
    /// per CPU core, and at least two.
    pub workers: usize,
    /// Milliseconds a request waits for a free worker before it is answered 503.
    pub queue_ms: u64,
}

impl Default for RulesConfig {
    fn default() -> Self {
        RulesConfig { time_ms: kexie_engine::rules::limits::TIME_MS, workers: 0, queue_ms: 10_000 }
    }
}

impl RulesConfig {
    /// Workers to start: as configured, or one per core (at least two).
    pub fn worker_count(&self) -> usize {
        match self.workers {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()).max(2),
            n => n,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: "127.0.0.1".into(),
            port: 8080,
            database: "sqlite://data/kexie.db".into(),
            workflows: "workflows".into(),
            widget_dir: "dist".into(),
            utc_offset_hours: 8,
            auth: AuthConfig::default(),
            limits: Limits::default(),
            rules: RulesConfig::default(),
            events: EventsConfig::default(),
            webhooks: Vec::new(),
            email: None,
            cors_origins: Vec::new(),
            organisation: None,
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            audience: "kexie-flow".into(),
            hs256_secret: None,
            rs256_public_key: None,
            jwks_url: None,
            jwks_file: None,
            jwks_refresh_secs: 60,
            admin_role: "admin".into(),
            failures_per_minute: 30,
            trusted_proxies: Vec::new(),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        let types = [
            "application/pdf",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "image/png",
            "image/jpeg",
        ];
        Limits { body_bytes: 1 << 20, attachment_bytes: 20 << 20, attachment_types: types.map(String::from).to_vec() }
    }
}

impl Config {
    /// The SQLite file `database` names, if it names one (`sqlite://data/kexie.db?mode=…`).
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        let path = self.database.strip_prefix("sqlite://")?;
        Some(PathBuf::from(path.split('?').next().unwrap_or(path)))
    }

    /// Reads `path` if it exists (a missing default file is fine), then the environment.
    pub fn load(path: Option<&Path>) -> Result<Config, String> {
        let mut config = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
                toml::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?
            }
            None if Path::new("kexie.toml").is_file() => return Config::load(Some(Path::new("kexie.toml"))),
            None => Config::default(),
        };
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        if let Some(v) = env("DATABASE_URL") {
            config.database = v;
        }
        if let Some(v) = env("KEXIE_BIND") {
            config.bind = v;
        }
        if let Some(v) = env("KEXIE_PORT") {
            config.port = v.parse().map_err(|_| format!("KEXIE_PORT={v} is not a port number"))?;
        }
        if let Some(v) = env("KEXIE_WIDGET_DIR") {
            config.widget_dir = v.into();
        }
        if let Some(v) = env("KEXIE_JWT_SECRET") {
            config.auth.hs256_secret = Some(v);
        }
        if let Some(v) = env("KEXIE_JWKS_URL") {
            config.auth.jwks_url = Some(v);
        }
        if let Some(v) = env("KEXIE_JWT_PUBLIC_KEY") {
            config.auth.rs256_public_key = Some(v.into());
        }
        for hook in &config.webhooks {
            hook.secret()?;
            if !(hook.url.starts_with("http://") || hook.url.starts_with("https://")) {
                return Err(format!("webhook {}: the url must start with http:// or https://", hook.url));
            }
        }
        Ok(config)
    }
}

//! Keys published by the host's identity provider (`auth.jwks_url` or `auth.jwks_file`):
//! RS256 and ES256 keys chosen by a token's `kid`, cached, and read again when a token
//! names a key not in the cache (the IdP rotated its keys) or the cache is an hour old
//! (a key was withdrawn). Reading again happens at most once per `jwks_refresh_secs`
//! (a minute by default), so a forger's made-up `kid`s cost the IdP one request a minute.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};

/// How long keys are trusted before they are read again on the next token.
const FRESH: Duration = Duration::from_secs(3600);
/// How long the IdP may take to answer.
const TIMEOUT: Duration = Duration::from_secs(5);
/// The largest key set read.
const MAX_BYTES: usize = 1 << 20;

/// A key and the one algorithm it verifies.
pub type Key = (Algorithm, Arc<DecodingKey>);

/// Where the key set comes from.
#[derive(Debug, Clone)]
pub enum Source {
    Url(String),
    File(PathBuf),
}

pub struct Jwks {
    source: Source,
    client: reqwest::Client,
    /// The keys by `kid`, and when they were read.
    cache: RwLock<(HashMap<String, Key>, Option<Instant>)>,
    /// When the key set was last asked for (successfully or not): one asker at a time.
    asked: tokio::sync::Mutex<Option<Instant>>,
    every: Duration,
}

impl Jwks {
    /// Reads the key set once now; an IdP that does not answer yet is warned about and
    /// asked again on the first token.
    pub async fn open(source: Source, every: Duration) -> Result<Jwks, String> {
        let client = reqwest::Client::builder().timeout(TIMEOUT).build().map_err(|e| format!("auth.jwks_url: {e}"))?;
        let jwks = Jwks { source, client, cache: RwLock::default(), asked: tokio::sync::Mutex::default(), every };
        jwks.refresh().await;
        Ok(jwks)
    }

    /// The key named `kid`, reading the key set again if it is unknown or the cache stale.
    pub async fn key(&self, kid: &str) -> Option<Key> {
        if let Some(key) = self.cached(kid, true) {
            return Some(key);
        }
        self.refresh().await;
        self.cached(kid, false)
    }

    fn cached(&self, kid: &str, fresh_only: bool) -> Option<Key> {
        let cache = self.cache.read().unwrap_or_else(|e| e.into_inner());
        let fresh = cache.1.is_some_and(|at| at.elapsed() < FRESH);
        (fresh || !fresh_only).then(|| cache.0.get(kid).cloned()).flatten()
    }

    /// Reads the key set, unless it was asked for within `every`; on failure the keys
    /// read before stay.
    async fn refresh(&self) {
        let mut asked = self.asked.lock().await;
        if asked.is_some_and(|at| at.elapsed() < self.every) {
            return;
        }
        *asked = Some(Instant::now());
        match self.read().await {
            Ok(keys) => *self.cache.write().unwrap_or_else(|e| e.into_inner()) = (keys, Some(Instant::now())),
            Err(e) => tracing::warn!("reading the identity provider's keys: {e}"),
        }
    }

    async fn read(&self) -> Result<HashMap<String, Key>, String> {
        let bytes = match &self.source {
            Source::File(path) => std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?,
            Source::Url(url) => self.download(url).await.map_err(|e| format!("{url}: {e}"))?,
        };
        // Each key on its own: one of a kind this library does not know spoils nothing.
        let set: KeySet = serde_json::from_slice(&bytes).map_err(|e| format!("not a JWK set: {e}"))?;
        Ok(set.keys.into_iter().filter_map(|k| serde_json::from_value(k).ok()).filter_map(|k| usable(&k)).collect())
    }

    async fn download(&self, url: &str) -> Result<Vec<u8>, String> {
        let mut res = self.client.get(url).send().await.map_err(|e| e.to_string())?;
        if !res.status().is_success() {
            return Err(format!("HTTP {}", res.status().as_u16()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = res.chunk().await.map_err(|e| e.to_string())? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_BYTES {
                return Err("the key set is larger than 1 MB".into());
            }
        }
        Ok(body)
    }
}

#[derive(serde::Deserialize)]
struct KeySet {
    keys: Vec<serde_json::Value>,
}

/// A signing key this server accepts: an RSA key for RS256 or a P-256 key for ES256, with
/// a `kid`; anything else in the set (a shared secret, an encryption key) is left out.
fn usable(jwk: &Jwk) -> Option<(String, Key)> {
    let kid = jwk.common.key_id.clone()?;
    if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
        return None;
    }
    let algorithm = match (&jwk.algorithm, jwk.common.key_algorithm) {
        (AlgorithmParameters::RSA(_), None | Some(KeyAlgorithm::RS256)) => Algorithm::RS256,
        (AlgorithmParameters::EllipticCurve(p), None | Some(KeyAlgorithm::ES256)) if p.curve == EllipticCurve::P256 => {
            Algorithm::ES256
        }
        _ => {
            tracing::warn!("identity provider key {kid}: not an RS256 or ES256 signing key, left out");
            return None;
        }
    };
    match DecodingKey::from_jwk(jwk) {
        Ok(key) => Some((kid, (algorithm, Arc::new(key)))),
        Err(e) => {
            tracing::warn!("identity provider key {kid}: {e}, left out");
            None
        }
    }
}

//! Host tokens: the host OA signs a JWT for its user; every request is verified here.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode};
use kexie_engine::people::Actor;
use serde::{Deserialize, Serialize};

use crate::config::AuthConfig;
use crate::error::ApiError;
use crate::jwks::{Jwks, Key, Source};
use crate::state::AppState;
use crate::throttle;

/// The claims a host token carries. `sub`, `exp` and `aud` are required, but checked by
/// the validation (which says which one is missing) rather than by deserializing. `name`,
/// `dept` and `roles` are the host's word on the person when present; absent, the
/// directory's stands (SECURITY.md, "Who says who someone is").
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    #[serde(default)]
    pub sub: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Department id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dept: Option<String>,
    /// Roles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// Expiry, Unix seconds.
    #[serde(default)]
    pub exp: u64,
    /// Audience: one, or a list (RFC 7519, 4.1.3); the configured one must be among them.
    #[serde(default)]
    pub aud: Audience,
}

/// A token's `aud`: a string or a list of strings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Default for Audience {
    fn default() -> Self {
        Audience::Many(Vec::new())
    }
}

impl Claims {
    /// The person the token describes; what it leaves out is taken from `known`, the
    /// directory's entry (a token without `roles` does not take anybody's roles away).
    pub fn actor(self, known: Option<&Actor>) -> Actor {
        Actor {
            name: self.name.or_else(|| known.map(|k| k.name.clone())).unwrap_or_default(),
            department: self.dept.or_else(|| known.and_then(|k| k.department.clone())),
            roles: self.roles.or_else(|| known.map(|k| k.roles.clone())).unwrap_or_default(),
            id: self.sub,
        }
    }
}

/// The keys tokens are checked with (and, for the demo only, signed with).
pub struct Keys {
    verifier: Verifier,
    encoding: Option<EncodingKey>,
    audience: String,
}

/// One key, or the identity provider's set of them chosen by `kid`.
enum Verifier {
    Fixed(Key),
    Jwks(Jwks),
}

impl Keys {
    /// From the configuration: the IdP's key set if one is named, else an RS256 public
    /// key, else the HS256 secret.
    pub async fn from_config(auth: &AuthConfig) -> Result<Keys, String> {
        let audience = auth.audience.clone();
        let source = match (&auth.jwks_url, &auth.jwks_file) {
            (Some(url), _) => Some(Source::Url(url.clone())),
            (None, Some(file)) => Some(Source::File(file.clone())),
            (None, None) => None,
        };
        if let Some(source) = source {
            let every = std::time::Duration::from_secs(auth.jwks_refresh_secs.max(1));
            let verifier = Verifier::Jwks(Jwks::open(source, every).await?);
            return Ok(Keys { verifier, encoding: None, audience });
        }
        if let Some(path) = &auth.rs256_public_key {
            let pem = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let decoding = DecodingKey::from_rsa_pem(&pem)
                .map_err(|e| format!("{}: not an RSA public key: {e}", path.display()))?;
            return Ok(Keys {
                verifier: Verifier::Fixed((Algorithm::RS256, Arc::new(decoding))),
                encoding: None,
                audience,
            });
        }
        let secret = auth.hs256_secret.as_deref().ok_or(
            "no token key: set auth.jwks_url, auth.jwks_file, auth.rs256_public_key (KEXIE_JWT_PUBLIC_KEY) or auth.hs256_secret (KEXIE_JWT_SECRET)",
        )?;
        if secret.len() < 32 {
            return Err("the HS256 secret must be at least 32 characters".into());
        }
        let (decoding, encoding) =
            (DecodingKey::from_secret(secret.as_bytes()), EncodingKey::from_secret(secret.as_bytes()));
        let verifier = Verifier::Fixed((Algorithm::HS256, Arc::new(decoding)));
        Ok(Keys { verifier, encoding: Some(encoding), audience })
    }

    /// The key a token names: the one key, or the IdP's key of the token's `kid`.
    async fn key_for(&self, header: &Header) -> Result<Key, BadToken> {
        match &self.verifier {
            Verifier::Fixed(key) => Ok(key.clone()),
            Verifier::Jwks(jwks) => {
                let kid = header.kid.as_deref().ok_or(BadToken::forged(
                    "令牌缺少密钥标识（kid）。",
                    "the token names no key (kid) of the identity provider",
                ))?;
                jwks.key(kid).await.ok_or(BadToken::forged(
                    "令牌的密钥（kid）不是身份提供方公布的密钥。",
                    "the token's key (kid) is not one the identity provider publishes",
                ))
            }
        }
    }

    /// Verifies a token at `now` (Unix seconds, the server's clock) and says clearly what
    /// is wrong with a bad one. Expiry is checked against the server's clock rather than
    /// the library's, so the one clock decides deadlines and sessions alike.
    pub async fn verify(&self, token: &str, now: i64) -> Result<Claims, BadToken> {
        const LEEWAY: i64 = 30;
        // A header naming an algorithm the library does not know (`none`) fails to parse.
        let header = decode_header(token).map_err(|_| {
            BadToken::forged(
                "令牌头无效或签名算法不被接受。",
                "the token's header is malformed or its algorithm is not accepted",
            )
        })?;
        let (algorithm, key) = self.key_for(&header).await?;
        let mut v = Validation::new(algorithm);
        v.set_audience(&[&self.audience]);
        v.set_required_spec_claims(&["exp", "aud", "sub"]);
        v.validate_exp = false;
        let claims = decode::<Claims>(token, &key, &v).map(|d| d.claims).map_err(|e| {
            // Audience and claims are read only once the signature holds: the key signed it.
            let signed = matches!(
                e.kind(),
                ErrorKind::InvalidAudience | ErrorKind::MissingRequiredClaim(_) | ErrorKind::Json(_)
            );
            let (zh, en) = match e.kind() {
                ErrorKind::InvalidSignature => ("令牌签名无效。", "the token's signature is not valid"),
                ErrorKind::InvalidAudience => ("令牌不是签发给本系统的。", "the token is for another audience"),
                ErrorKind::InvalidAlgorithm => ("令牌的签名算法不被接受。", "the token's algorithm is not accepted"),
                ErrorKind::MissingRequiredClaim(_) => {
                    ("令牌缺少必需的声明（sub、exp、aud）。", "the token lacks a required claim (sub, exp, aud)")
                }
                ErrorKind::Json(_) => {
                    ("令牌的声明格式无效。", "the token's claims are malformed (say, roles not a list)")
                }
                _ => ("令牌格式无效。", "the token is malformed"),
            };
            BadToken { why: (zh, en), forged: !signed }
        })?;
        if claims.sub.trim().is_empty() {
            return Err(BadToken::signed(
                "令牌缺少必需的声明（sub、exp、aud）。",
                "the token lacks a required claim (sub)",
            ));
        }
        if (claims.exp as i64).saturating_add(LEEWAY) < now {
            return Err(BadToken::signed("登录已过期，请重新进入。", "the token has expired"));
        }
        Ok(claims)
    }

    /// Signs a token (the demo portal's users only; HS256 only).
    pub fn sign(&self, claims: &Claims) -> Option<String> {
        encode(&Header::new(Algorithm::HS256), claims, self.encoding.as_ref()?).ok()
    }

    /// The audience tokens must name.
    pub fn audience(&self) -> &str {
        &self.audience
    }
}

/// The token of an `Authorization: Bearer <token>` header, the scheme in any case.
fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim_start().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token)
}

/// A refused token, and whether it was forged (not signed by the key: a guess, counted by
/// the throttle) rather than, say, expired.
pub struct BadToken {
    why: (&'static str, &'static str),
    pub forged: bool,
}

impl BadToken {
    fn forged(zh: &'static str, en: &'static str) -> Self {
        BadToken { why: (zh, en), forged: true }
    }

    fn signed(zh: &'static str, en: &'static str) -> Self {
        BadToken { why: (zh, en), forged: false }
    }

    /// The 401 that says what is wrong with the token.
    pub fn error(&self) -> ApiError {
        unauthorized(self.why.0, self.why.1)
    }
}

/// The subject a token claims, unverified: what a forger aims at.
fn claimed_subject(token: &str) -> String {
    let claims = jsonwebtoken::dangerous::insecure_decode::<serde_json::Value>(token).map(|d| d.claims);
    claims.ok().and_then(|c| c.get("sub")?.as_str().map(String::from)).unwrap_or_default()
}

fn unauthorized(zh: &str, en: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", zh, en)
}

fn throttled(seconds: u64) -> ApiError {
    let mut e = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_failures",
        format!("伪造的令牌过多，请 {seconds} 秒后再试。"),
        format!("too many forged tokens; try again in {seconds} s."),
    );
    e.retry_after = Some(seconds);
    e
}

/// The client's address, if the server was started with connection info (it always is,
/// outside in-process tests).
fn client_address(parts: &Parts, trusted_proxies: &[IpAddr]) -> Option<IpAddr> {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>()?.0.ip();
    let forwarded = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    Some(throttle::client(peer, forwarded, trusted_proxies))
}

/// Counts a forged token against the subject it claims and its address: 429 once the
/// subject was over the limit before it, else `error`.
fn forged(state: &AppState, token: &str, client: Option<IpAddr>, now: Instant, error: ApiError) -> ApiError {
    let subject = claimed_subject(token);
    let over = state.forged_by_subject.check(&subject, now);
    state.forged_by_subject.failed(&subject, now);
    if let Some(ip) = &client {
        state.forged_by_address.failed(ip, now);
    }
    over.map_or_else(throttled, |()| error)
}

/// The verified person making a request.
#[derive(Clone)]
pub struct Caller {
    pub actor: Actor,
    pub admin: bool,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let client = client_address(parts, &state.config.auth.trusted_proxies);
        let started = Instant::now();
        // A flood of forged tokens from one address is refused before its tokens are checked.
        if let Some(ip) = &client
            && let Err(seconds) = state.forged_by_address.check(ip, started)
        {
            return Err(throttled(seconds));
        }
        let header = parts.headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        // The scheme is case-insensitive (RFC 7235, 2.1): `bearer` is as good as `Bearer`.
        let token = header.and_then(bearer_token).ok_or_else(|| {
            unauthorized(
                "缺少令牌：请求须带 Authorization: Bearer <令牌>。",
                "missing token: send Authorization: Bearer <token>",
            )
        })?;
        let claims = match state.keys.verify(token.trim(), state.now().0.unix_timestamp()).await {
            Ok(claims) => claims,
            Err(bad) if !bad.forged => return Err(bad.error()),
            Err(bad) => return Err(forged(state, token, client, started, bad.error())),
        };
        // Administration is the host's to grant, token by token: a role the directory
        // remembers does not make anyone an administrator.
        let admin = claims.roles.as_ref().is_some_and(|r| r.contains(&state.config.auth.admin_role));
        let complete = claims.name.is_some() && claims.roles.is_some() && claims.dept.is_some();
        let known = if complete { None } else { state.known(&claims.sub).await? };
        let actor = claims.actor(known.as_ref());
        state.remember(&actor).await?;
        Ok(Caller { actor, admin })
    }
}

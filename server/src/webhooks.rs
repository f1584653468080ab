//! Posting events to the configured receivers (`[[webhooks]]`): at least once, each
//! instance's events in order, signed, retried with backoff for a day. One task per
//! receiver, off the request path: a slow or failing receiver holds up nothing else.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::WebhookConfig;
use crate::store::{Due, Store, unix_now};

/// How long a receiver may take to answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a replica holds a delivery it is sending.
const LEASE_SECS: i64 = 30;
/// How long a failing delivery is retried before it is marked dead.
const GIVE_UP_SECS: i64 = 24 * 3600;
/// The longest wait between two tries.
const MAX_BACKOFF_SECS: i64 = 3600;
/// Deliveries sent at once to one receiver.
const BATCH: i64 = 16;
/// How old a signature's time may be when a receiver checks it (replays are refused).
pub const TOLERANCE_SECS: i64 = 300;

/// A receiver as the sender needs it.
#[derive(Clone)]
pub struct Hook {
    pub url: String,
    secret: String,
}

impl Hook {
    pub fn of(config: &WebhookConfig) -> Result<Hook, String> {
        Ok(Hook { url: config.url.clone(), secret: config.secret()? })
    }

    /// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
    pub fn signature(&self, t: i64, body: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.secret.as_bytes()).expect("HMAC takes any key");
        mac.update(format!("{t}.{body}").as_bytes());
        format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
    }
}

/// What a receiver checks of a delivery (the demo's receiver does; docs/integration.md
/// shows the same in Python and Java): the HMAC of `"<t>.<body>"` with the shared secret,
/// and `t` within [`TOLERANCE_SECS`] of `now`, so a captured request cannot be replayed.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> Result<(), &'static str> {
    let part = |name: &str| header.split(',').find_map(|p| p.trim().strip_prefix(name)?.strip_prefix('='));
    let (Some(t), Some(v1)) = (part("t"), part("v1")) else {
        return Err("no Kexie-Signature: t=…,v1=…");
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(body);
    let given = hex::decode(v1).map_err(|_| "the signature is not hex")?;
    mac.verify_slice(&given).map_err(|_| "the signature does not match the body")?;
    let t: i64 = t.parse().map_err(|_| "the signature's time is not a number")?;
    if (now - t).abs() > TOLERANCE_SECS {
        return Err("the signature's time is too far from now (a replay?)");
    }
    Ok(())
}

/// Starts a sender per receiver; they run as long as the server.
pub fn start(hooks: Vec<Hook>, store: Store) -> Result<(), String> {
    let client = reqwest::Client::builder().timeout(TIMEOUT).build().map_err(|e| format!("webhooks: {e}"))?;
    for hook in hooks {
        tokio::spawn(send_forever(hook, store.clone(), client.clone()));
    }
    Ok(())
}

async fn send_forever(hook: Hook, store: Store, client: reqwest::Client) {
    loop {
        let due = match store.due_deliveries(&hook.url, unix_now(), BATCH).await {
            Ok(due) => due,
            Err(e) => {
                tracing::error!("webhook {}: reading deliveries: {e}", hook.url);
                Vec::new()
            }
        };
        if due.is_empty() {
            tokio::time::sleep(Duration::from_millis(250)).await;
            continue;
        }
        // Each is the first pending event of its instance: they may go side by side.
        let mut sending = tokio::task::JoinSet::new();
        for d in due {
            sending.spawn(send_one(hook.clone(), store.clone(), client.clone(), d));
        }
        while sending.join_next().await.is_some() {}
    }
}

async fn send_one(hook: Hook, store: Store, client: reqwest::Client, d: Due) {
    let now = unix_now();
    match store.lease(&hook.url, d.seq, now, now + LEASE_SECS).await {
        Ok(true) => {}
        Ok(false) => return, // another replica has it
        Err(e) => return tracing::error!("webhook {}: lease: {e}", hook.url),
    }
    let sent = client
        .post(&hook.url)
        .header("Content-Type", "application/json")
        .header("Kexie-Event-Id", &d.id)
        .header("Kexie-Event-Type", &d.kind)
        .header("Kexie-Signature", hook.signature(now, &d.body))
        .body(d.body.clone())
        .send()
        .await;
    let failure = match sent {
        Ok(r) if r.status().is_success() => None,
        Ok(r) => Some(format!("HTTP {}", r.status().as_u16())),
        Err(e) => Some(e.to_string()),
    };
    let settled = match failure {
        None => store.delivered(&hook.url, d.seq).await,
        Some(why) => store.failed(&hook.url, d.seq, &why, retry_at(&d, unix_now())).await,
    };
    if let Err(e) = settled {
        tracing::error!("webhook {}: recording delivery {}: {e}", hook.url, d.seq);
    }
}

/// When to try a failed delivery again: 1 s, 2 s, 4 s … up to an hour apart; `None`
/// once it has failed for a day.
fn retry_at(d: &Due, now: i64) -> Option<i64> {
    let wait = 1_i64.checked_shl(d.attempts.clamp(0, 20) as u32).unwrap_or(MAX_BACKOFF_SECS).min(MAX_BACKOFF_SECS);
    (now - d.first_at < GIVE_UP_SECS).then_some(now + wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "a-shared-secret-of-the-receiver";

    fn signed(secret: &str, t: i64, body: &str) -> String {
        Hook { url: String::new(), secret: secret.into() }.signature(t, body)
    }

    #[test]
    fn a_receiver_takes_a_fresh_signature_of_its_secret_and_nothing_else() {
        let (now, body) = (1_800_000_000, r#"{"id":"a.1.0"}"#);
        assert_eq!(verify(SECRET, &signed(SECRET, now - 10, body), body.as_bytes(), now), Ok(()));
        let wrong_secret = signed("someone-else-s-secret-entirely", now, body);
        assert!(verify(SECRET, &wrong_secret, body.as_bytes(), now).unwrap_err().contains("does not match"));
        let tampered = signed(SECRET, now, body);
        assert!(verify(SECRET, &tampered, br#"{"id":"a.1.1"}"#, now).unwrap_err().contains("does not match"));
        let replayed = signed(SECRET, now - TOLERANCE_SECS - 1, body);
        assert!(verify(SECRET, &replayed, body.as_bytes(), now).unwrap_err().contains("replay"));
        for malformed in ["", "t=1", "v1=00", "t=x,v1=zz"] {
            assert!(verify(SECRET, malformed, body.as_bytes(), now).is_err(), "{malformed}");
        }
    }
}

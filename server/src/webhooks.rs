//! Webhook receivers (`[[webhooks]]`): each event posted as JSON, signed with the
//! receiver's secret (`Kexie-Signature`), and what a receiver checks of it. Sending,
//! retrying and ordering are the outbox's (`outbox.rs`).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::WebhookConfig;
use crate::store::{Due, unix_now};

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
        let mac = mac_of(&self.secret, &t.to_string(), body.as_bytes());
        format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
    }
}

/// The HMAC-SHA256 of `"<t>.<body>"` with `secret`: what is signed and checked.
fn mac_of(secret: &str, t: &str, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// What a receiver checks of a delivery (the demo's receiver does; docs/integration.md
/// shows the same in Python and Java): the HMAC of `"<t>.<body>"` with the shared secret,
/// and `t` within [`TOLERANCE_SECS`] of `now`, so a captured request cannot be replayed.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> Result<(), &'static str> {
    let part = |name: &str| header.split(',').find_map(|p| p.trim().strip_prefix(name)?.strip_prefix('='));
    let (Some(t), Some(v1)) = (part("t"), part("v1")) else {
        return Err("no Kexie-Signature: t=…,v1=…");
    };
    let mac = mac_of(secret, t, body);
    let given = hex::decode(v1).map_err(|_| "the signature is not hex")?;
    mac.verify_slice(&given).map_err(|_| "the signature does not match the body")?;
    let t: i64 = t.parse().map_err(|_| "the signature's time is not a number")?;
    if (now - t).abs() > TOLERANCE_SECS {
        return Err("the signature's time is too far from now (a replay?)");
    }
    Ok(())
}

impl Hook {
    /// Posts delivery `d`, signed now: whether the receiver accepted it (2xx).
    pub async fn post(&self, client: &reqwest::Client, d: &Due) -> Result<(), String> {
        let sent = client
            .post(&self.url)
            .header("Content-Type", "application/json")
            .header("Kexie-Event-Id", &d.id)
            .header("Kexie-Event-Type", &d.kind)
            .header("Kexie-Signature", self.signature(unix_now(), &d.body))
            .body(d.body.clone())
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => Ok(()),
            Ok(r) => Err(format!("HTTP {}", r.status().as_u16())),
            Err(e) => Err(e.to_string()),
        }
    }
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

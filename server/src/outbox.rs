//! Sending the outbox: every event to each webhook receiver and, with `[email]`, some to
//! people's mailboxes. At least once, each instance's events in order, retried with
//! backoff for a day, then marked dead. One task per receiver, off the request path: a
//! slow or failing receiver holds up neither actions nor any other receiver.

use std::sync::Arc;
use std::time::Duration;

use crate::mail::Mailer;
use crate::store::{Due, Store, StoreError, Subscription, unix_now};
use crate::webhooks::Hook;

/// How long a webhook receiver may take to answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a replica holds a delivery it is sending.
const LEASE_SECS: i64 = 30;
/// How long a failing delivery is retried before it is marked dead.
const GIVE_UP_SECS: i64 = 24 * 3600;
/// The longest wait between two tries.
const MAX_BACKOFF_SECS: i64 = 3600;
/// Deliveries sent at once to a webhook receiver (and leased and recorded in one write
/// each); mail goes 8 at a time, each its own SMTP connection, which relays may limit.
const BATCH: i64 = 64;
const MAIL_BATCH: i64 = 8;

/// Where deliveries go.
#[derive(Clone)]
pub enum Receiver {
    Hook(Hook),
    Mail(Arc<Mailer>),
}

impl Receiver {
    /// Its name in the deliveries table: a webhook's url, or `email`.
    pub fn name(&self) -> &str {
        match self {
            Receiver::Hook(hook) => &hook.url,
            Receiver::Mail(_) => crate::mail::RECEIVER,
        }
    }

    /// The events it takes, for the outbox's fan-out.
    pub fn subscription(&self, events: Vec<String>) -> Subscription {
        Subscription { hook: self.name().to_string(), events }
    }

    fn batch(&self) -> i64 {
        match self {
            Receiver::Hook(_) => BATCH,
            Receiver::Mail(_) => MAIL_BATCH,
        }
    }

    async fn send(&self, client: &reqwest::Client, d: &Due) -> Result<(), String> {
        match self {
            Receiver::Hook(hook) => hook.post(client, d).await,
            Receiver::Mail(mailer) => mailer.send(d).await,
        }
    }
}

/// Starts a sender per receiver; they run as long as the server.
pub fn start(receivers: Vec<Receiver>, store: Store) -> Result<(), String> {
    let client = reqwest::Client::builder().timeout(TIMEOUT).build().map_err(|e| format!("webhooks: {e}"))?;
    for receiver in receivers {
        tokio::spawn(send_forever(receiver, store.clone(), client.clone()));
    }
    Ok(())
}

async fn send_forever(receiver: Receiver, store: Store, client: reqwest::Client) {
    let name = receiver.name().to_string();
    loop {
        match send_batch(&receiver, &store, &client).await {
            Ok(0) => tokio::time::sleep(Duration::from_millis(250)).await,
            Ok(_) => {}
            Err(e) => {
                tracing::error!("outbox {name}: {e}");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Leases what is due (each the first pending event of its instance, so they may go side
/// by side), sends it, and records the outcome: the accepted in one write, each failure in
/// its own. How many it sent.
async fn send_batch(receiver: &Receiver, store: &Store, client: &reqwest::Client) -> Result<usize, StoreError> {
    let (name, now) = (receiver.name(), unix_now());
    let due = store.due_deliveries(name, now, receiver.batch()).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let seqs: Vec<i64> = due.iter().map(|d| d.seq).collect();
    let ours = store.lease(name, &seqs, now, now + LEASE_SECS).await?;
    // What another replica leased first is its to send.
    let due: Vec<Due> = due.into_iter().filter(|d| ours.contains(&d.seq)).collect();
    let mut sending = tokio::task::JoinSet::new();
    for d in due {
        let (receiver, client) = (receiver.clone(), client.clone());
        sending.spawn(async move {
            let sent = receiver.send(&client, &d).await;
            (d, sent)
        });
    }
    let (mut accepted, mut count) = (Vec::new(), 0);
    while let Some(joined) = sending.join_next().await {
        // A send that panicked stays leased, and is tried again when the lease runs out.
        let Ok((d, sent)) = joined else { continue };
        count += 1;
        match sent {
            Ok(()) => accepted.push(d.seq),
            Err(why) => store.failed(name, d.seq, &why, retry_at(&d, unix_now())).await?,
        }
    }
    if !accepted.is_empty() {
        store.delivered(name, &accepted).await?;
    }
    Ok(count)
}

/// When to try a failed delivery again: 1 s, 2 s, 4 s … up to an hour apart; `None`
/// once it has failed for a day.
fn retry_at(d: &Due, now: i64) -> Option<i64> {
    let wait = 1_i64.checked_shl(d.attempts.clamp(0, 20) as u32).unwrap_or(MAX_BACKOFF_SECS).min(MAX_BACKOFF_SECS);
    (now - d.first_at < GIVE_UP_SECS).then_some(now + wait)
}

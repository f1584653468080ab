-- Webhook deliveries (issue 14): one row per event and receiver, written with the event.
-- Times are unix seconds. A replica leases a row (`leased_until`) while it sends it.
CREATE TABLE deliveries (
    hook         TEXT NOT NULL,
    event_seq    BIGINT NOT NULL,
    instance_id  TEXT NOT NULL,
    status       TEXT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    first_at     BIGINT NOT NULL,
    next_at      BIGINT NOT NULL,
    leased_until BIGINT NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (hook, event_seq)
);
CREATE INDEX deliveries_due ON deliveries (hook, status, next_at);
CREATE INDEX deliveries_order ON deliveries (hook, instance_id, status, event_seq);

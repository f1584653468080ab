-- The outbox: the events of each action, written in its transaction (issue 14). `seq`
-- orders the feed; it comes from `event_seq`, whose row an action locks until it commits,
-- so events commit in `seq` order and a reader never skips one that commits late.
CREATE TABLE events (
    seq         BIGINT PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    type        TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    at          TEXT NOT NULL,
    body        TEXT NOT NULL
);
CREATE TABLE event_seq (
    id   BIGINT PRIMARY KEY,
    last BIGINT NOT NULL
);
INSERT INTO event_seq (id, last) VALUES (1, 0);

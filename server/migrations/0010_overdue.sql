-- Deadlines passed and told (issue 14): one row per instance and step entry, so a
-- `task.overdue` event is written once however often the sweep runs.
CREATE TABLE overdue_sent (
    instance_id TEXT NOT NULL,
    entry       BIGINT NOT NULL,
    PRIMARY KEY (instance_id, entry)
);

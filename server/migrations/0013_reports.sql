-- Reports (issue 17): what they group, sum and filter by, indexed per instance and written
-- with each action, so that reports aggregate in SQL instead of reading every state.

-- Each scalar value of a form's top-level fields: `text` as written (dates "YYYY-MM-DD",
-- options by value), `num` the number in ten-thousandths (decimals stay exact when summed).
CREATE TABLE instance_values (
    instance_id TEXT NOT NULL,
    field       TEXT NOT NULL,
    text        TEXT,
    num         BIGINT,
    PRIMARY KEY (instance_id, field)
);
-- A report reads every instance's value of a field: from this index alone, without the table,
-- and field by field, so that one field's values of all instances lie together (a report on two
-- fields of nine reads two ninths of the index, not all of it).
CREATE INDEX instance_values_cover ON instance_values (field, instance_id, text, num);

-- Everybody who may read an instance: its initiator, everybody ever assigned, people copied.
CREATE TABLE instance_readers (
    instance_id TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    PRIMARY KEY (instance_id, user_id)
);
CREATE INDEX instance_readers_user ON instance_readers (user_id, instance_id);

-- Each pass through a step: when it was entered and left, and its deadline (Unix seconds).
CREATE TABLE step_spans (
    instance_id TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    step        TEXT NOT NULL,
    entered_at  BIGINT NOT NULL,
    left_at     BIGINT,
    due_at      BIGINT,
    PRIMARY KEY (instance_id, seq)
);
CREATE INDEX step_spans_cover ON step_spans (instance_id, step, left_at, entered_at, due_at);

-- The initiator's department, which reports group by.
ALTER TABLE instances ADD COLUMN department TEXT;
-- A report's instances, found and filtered from the index alone.
CREATE INDEX instances_reported ON instances (workflow, status, created_at, id, version, department, step, updated_at);

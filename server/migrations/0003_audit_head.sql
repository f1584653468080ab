-- The head of each instance's audit chain, kept on the instance row so that an action
-- appends without first reading the chain back.
ALTER TABLE instances ADD COLUMN audit_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN audit_hash TEXT NOT NULL DEFAULT '';

-- When each request id was answered, so that old ones can be forgotten (a replay answers
-- a retry, which comes within minutes; each row holds a whole response). Rows from before
-- this migration have '' and go at the first clean-up.
ALTER TABLE requests ADD COLUMN created_at TEXT NOT NULL DEFAULT '';
CREATE INDEX requests_by_age ON requests (created_at);

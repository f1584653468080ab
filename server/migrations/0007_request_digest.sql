-- What each request asked (sha256 of its action), so that a request id
-- reused for another request is refused rather than answered with the first one's
-- response. Rows from before this migration have '' and replay as before.
ALTER TABLE requests ADD COLUMN digest TEXT NOT NULL DEFAULT '';

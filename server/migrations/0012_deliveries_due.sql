-- The sender reads a receiver's due deliveries oldest first (issue 14): an index in that
-- order lets it stop after a batch instead of sorting every pending row on each read.
DROP INDEX deliveries_due;
CREATE INDEX deliveries_due ON deliveries (hook, status, event_seq);

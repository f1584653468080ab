-- The sender reads a receiver's oldest pending deliveries in order (issue 14): an index in
-- that order lets it stop after a window instead of sorting every pending row, and the
-- per-instance index its old query needed is no longer read, only written.
DROP INDEX deliveries_due;
DROP INDEX deliveries_order;
CREATE INDEX deliveries_due ON deliveries (hook, status, event_seq);

-- Reports that count a table's rows (issue 17: a plan's funds by category): each scalar cell of
-- a form's tables, `field` naming it "table.column", `row_no` its row from 0, `text` and `num`
-- as in instance_values.
CREATE TABLE instance_cells (
    instance_id TEXT NOT NULL,
    field       TEXT NOT NULL,
    row_no      BIGINT NOT NULL,
    text        TEXT,
    num         BIGINT,
    PRIMARY KEY (instance_id, field, row_no)
);
-- A report reads one column's cells of every instance, and the other columns' on the same row.
CREATE INDEX instance_cells_cover ON instance_cells (field, instance_id, row_no, text, num);

-- The instances written before have no cells yet: forgetting their readers has the next start
-- index each of them anew (Store::index_for_reports), cells included.
DELETE FROM instance_readers;

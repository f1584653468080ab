-- Why each version was published: the editor asks the administrator for a note, the
-- startup loader names the folder it read. Older versions have none.
ALTER TABLE workflow_versions ADD COLUMN note TEXT NOT NULL DEFAULT '';

-- Who uploaded which file, with the size and type it was uploaded as: a form may name
-- only a file its author uploaded (or one its instance already holds), and a file no
-- instance holds yet is its uploaders' alone. The same bytes uploaded by two people are
-- stored once (attachments) and recorded twice here.
CREATE TABLE uploads (
    sha256     TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size       BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (sha256, user_id)
);
INSERT INTO uploads (sha256, user_id, media_type, size, created_at)
    SELECT sha256, created_by, media_type, size, created_at FROM attachments;

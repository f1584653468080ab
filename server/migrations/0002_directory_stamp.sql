-- A change counter for the directory: servers cache it and reload only when it moved.
CREATE TABLE directory_stamp (
    id    BIGINT PRIMARY KEY,
    stamp BIGINT NOT NULL
);
INSERT INTO directory_stamp (id, stamp) VALUES (1, 0);

-- Where and in which language a person is mailed (issue 14): set by the host's directory
-- sync (`email`, `lang`), never by a token, so signing in keeps them.
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN lang TEXT;

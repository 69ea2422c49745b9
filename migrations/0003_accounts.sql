-- Accounts, sessions, API tokens and the authentication log of the management routes.
-- Times are Unix seconds (UTC). Secrets are never stored: passwords as argon2id hashes
-- (PHC strings), session and API tokens as the SHA-256 of the token text.

CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    -- Compared without regard to ASCII case: "Admin" and "admin" are one account.
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'province', 'reviewer')),
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

-- The provinces a `province` editor may change, by boundary edition (the edition in force).
CREATE TABLE account_provinces (
    account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    edition       INTEGER NOT NULL,
    province_code TEXT NOT NULL CHECK (length(province_code) = 2),
    PRIMARY KEY (account_id, edition, province_code)
) STRICT;

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   BLOB NOT NULL UNIQUE,
    account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    -- Sent back in every state-changing form or X-CSRF-Token header; not a credential
    -- on its own (it is useless without the session cookie).
    csrf_token   TEXT NOT NULL,
    client       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   BLOB NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
) STRICT;
CREATE INDEX api_tokens_account ON api_tokens(account_id);

-- Append-only: logins, failures, logouts, token and account changes. Never a password
-- or a token.
CREATE TABLE auth_log (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    event    TEXT NOT NULL,
    username TEXT NOT NULL,
    actor    TEXT,
    client   TEXT NOT NULL,
    detail   TEXT
) STRICT;
CREATE INDEX auth_log_at ON auth_log(at);

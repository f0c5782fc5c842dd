-- Secrets every replica must share (the JWT signing keys, the web UI's session key), sealed with ENCRYPTION_KEY
-- (ADR 0024). A table beside the log, not events: a superseded private key is deleted, which an append-only log
-- cannot do.
create table instance_secrets (
  name text collate "C" primary key,
  -- The EncryptedSecret (key id, iv, ciphertext, tag) as JSON.
  sealed jsonb not null,
  created_at timestamptz not null default now()
);

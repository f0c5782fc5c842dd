-- Which replica is writing a blob to S3 now, and where its peers read the bytes it has so far (ADR 0025). Only a
-- hint: it is trusted while the digest's lease (an advisory lock) is held, and a row left by a killed process is
-- replaced by the next writer of the digest.
create table blob_transfers (
  digest text collate "C" primary key,
  write_id text not null,
  -- What the other replicas reach the writer at (its PEER_URL).
  peer_url text not null,
  started_at timestamptz not null default now()
);

-- The Vouch ledger, version 1. Never edit this file once landed: add a new migration.
--
-- Append-only is enforced here (triggers) and again by an authorizer on the daemon's
-- connection; anyone holding the file can still edit it, which the Merkle tree and the signed
-- checkpoints make evident (`vouch log verify`).

-- Facts about the log fixed at creation: its origin (checkpoint name) and its key id.
CREATE TABLE log_meta (
    name  TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

-- One row per entry, its body exactly as received. idx is the leaf index, dense from 0.
-- leaf_hash = SHA-256(0x00 || "vouch-entry/v1" LF kind LF integrated_at LF body).
CREATE TABLE entries (
    idx           INTEGER PRIMARY KEY NOT NULL,
    kind          TEXT    NOT NULL,
    integrated_at INTEGER NOT NULL,   -- unix seconds
    body          BLOB    NOT NULL,
    body_sha256   BLOB    NOT NULL UNIQUE,
    leaf_hash     BLOB    NOT NULL,
    signer        TEXT                -- key id of the verified signer, if any
) STRICT;

-- The subject digests of each entry (sha256:<hex>), for "what do we know about this image".
CREATE TABLE entry_subjects (
    digest TEXT    NOT NULL,
    idx    INTEGER NOT NULL REFERENCES entries (idx),
    PRIMARY KEY (digest, idx)
) STRICT, WITHOUT ROWID;
CREATE INDEX entry_subjects_by_idx ON entry_subjects (idx);

-- The Merkle tree's stored hashes in Crosby-Wallach order (tlog's stored hash index), so that
-- appending and proving read O(log n) rows and opening never replays the log.
CREATE TABLE tree_hashes (
    id   INTEGER PRIMARY KEY NOT NULL,
    hash BLOB    NOT NULL
) STRICT;

-- A signed checkpoint (C2SP tlog-checkpoint as a signed note) after every commit.
CREATE TABLE checkpoints (
    tree_size INTEGER PRIMARY KEY NOT NULL,
    root_hash BLOB    NOT NULL,
    note      TEXT    NOT NULL
) STRICT;

-- Append-only guards. BEFORE INSERT guards also stop INSERT OR REPLACE, which deletes the
-- conflicting row without firing DELETE triggers (recursive_triggers is off by default).
CREATE TRIGGER log_meta_no_update BEFORE UPDATE ON log_meta
BEGIN SELECT RAISE(ABORT, 'vouch ledger is append-only: log_meta cannot be updated'); END;
CREATE TRIGGER log_meta_no_delete BEFORE DELETE ON log_meta
BEGIN SELECT RAISE(ABORT, 'vouch ledger is append-only: log_meta cannot be deleted'); END;
CREATE TRIGGER log_meta_no_replace BEFORE INSERT ON log_meta
WHEN EXISTS (SELECT 1 FROM log_meta WHERE name = NEW.name)
BEGIN SELECT RAISE(ABORT, 'vouch ledger is append-only: log_meta cannot be replaced'); END;

CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'vouch ledger is append-only: entries cannot be updated'); END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'vouch ledger is append-only: entries cannot be deleted'); END;
CREATE TRIGGER entries_dense BEFORE INSERT ON entries
WHEN NEW.idx IS NOT (SELECT COALESCE(MAX(idx) + 1, 0) FROM entries)
   OR EXISTS (SELECT 1 FROM entries WHERE body_sha256 = NEW.body_sha256)
BEGIN SELECT RAISE(ABORT, 'vouch ledger is append-only: entries are added at the end, once'); END;

CREATE TRIGGER entry_subjects_no_update BEFORE UPDATE ON entry_subjects
BEGIN SELECT RAISE(ABORT, 'vouch ledger is append-only: entry_subjects cannot be updated'); END;
CREATE TRIGGER entry_subjects_no_delete BEFORE DELETE ON entry_subjects
BEGIN SELECT RAISE(ABORT, 'vouch ledger is append-only: entry_subjects cannot be deleted'); END;
CREATE TRIGGER entry_subjects_no_replace BEFORE INSERT ON entry_subjects
WHEN EXISTS (SELECT 1 FROM entry_subjects WHERE digest = NEW.digest AND idx = NEW.idx)
BEGIN SELECT RAISE(ABORT, 'vouch ledger is append-only: entry_subjects cannot be replaced'); END;

CREATE TRIGGER tree_hashes_no_update BEFORE UPDATE ON tree_hashes
BEGIN SELECT RAISE(ABORT, 'vouch ledger is append-only: tree_hashes cannot be updated'); END;
CREATE TRIGGER tree_hashes_no_delete BEFORE DELETE ON tree_hashes
BEGIN SELECT RAISE(ABORT, 'vouch ledger is append-only: tree_hashes cannot be deleted'); END;
CREATE TRIGGER tree_hashes_dense BEFORE INSERT ON tree_hashes
WHEN NEW.id IS NOT (SELECT COALESCE(MAX(id) + 1, 0) FROM tree_hashes)
BEGIN SELECT RAISE(ABORT, 'vouch ledger is append-only: tree hashes are added at the end'); END;

CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'vouch ledger is append-only: checkpoints cannot be updated'); END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'vouch ledger is append-only: checkpoints cannot be deleted'); END;
CREATE TRIGGER checkpoints_grow BEFORE INSERT ON checkpoints
WHEN NEW.tree_size <= (SELECT COALESCE(MAX(tree_size), -1) FROM checkpoints)
BEGIN SELECT RAISE(ABORT, 'vouch ledger is append-only: checkpoints only grow'); END;

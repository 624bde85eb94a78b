-- The Vouch ledger, version 2: one entry per signed statement. Never edit this file once landed.
--
-- signed_key = SHA-256("vouch-signed/v1" LF signer key id LF DSSE PAE(payloadType, payload)):
-- what the reviewer signed, whatever the envelope's encoding (whitespace, base64 alphabet, extra
-- fields or signatures). A re-encoded envelope is the same statement and is not stored again, so
-- a resubmission can neither add an entry nor reorder a reviewer's reviews. The audit
-- recomputes every row from the entry's body.
CREATE TABLE entry_signed (
    signed_key BLOB    PRIMARY KEY NOT NULL,
    idx        INTEGER NOT NULL UNIQUE REFERENCES entries (idx)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER entry_signed_no_update BEFORE UPDATE ON entry_signed
BEGIN SELECT RAISE(ABORT, 'vouch ledger is append-only: entry_signed cannot be updated'); END;
CREATE TRIGGER entry_signed_no_delete BEFORE DELETE ON entry_signed
BEGIN SELECT RAISE(ABORT, 'vouch ledger is append-only: entry_signed cannot be deleted'); END;
CREATE TRIGGER entry_signed_no_replace BEFORE INSERT ON entry_signed
WHEN EXISTS (SELECT 1 FROM entry_signed WHERE signed_key = NEW.signed_key OR idx = NEW.idx)
BEGIN SELECT RAISE(ABORT, 'vouch ledger is append-only: entry_signed cannot be replaced'); END;

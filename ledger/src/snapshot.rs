//! One consistent snapshot of a ledger for the audit: a single connection in a single read
//! transaction, streamed in chunks from a reading thread. Appends committed after the snapshot
//! began are invisible to it, so an audit of a live ledger sees exactly one state of the log.

use std::sync::mpsc::SyncSender;

use rusqlite::Connection;

use crate::error::{DbContext, LedgerError};
use crate::read::meta;

/// Entries per chunk handed from the reading thread to the checking threads.
const CHUNK: i64 = 4096;

/// One stored entry with everything stored about it.
pub(crate) struct Row {
    pub idx: i64,
    pub kind: String,
    pub integrated_at: i64,
    pub body: Vec<u8>,
    pub body_sha: Vec<u8>,
    pub leaf: Vec<u8>,
    pub signer: Option<String>,
    pub subjects: Vec<String>,
    pub signed_key: Option<Vec<u8>>,
}

/// What the snapshot holds before its entries: the log's fixed facts and every checkpoint row.
pub(crate) struct Head {
    pub origin: String,
    pub log_key_id: String,
    /// (tree_size, root_hash, note), by size.
    pub checkpoints: Vec<(i64, Vec<u8>, String)>,
    /// How many entries the snapshot holds.
    pub total: u64,
}

/// What the reading thread sends, in order: one `Head`, the chunks, then `End`.
pub(crate) enum Part {
    Head(Head),
    /// Entries in index order, and the stored tree hashes with ids in `hashes_from..` that the
    /// entries' records produce (tlog stores them in record order).
    Chunk {
        rows: Vec<Row>,
        hashes: Vec<(i64, Vec<u8>)>,
    },
    /// The id of the first stored hash past the last entry's, if any (there should be none).
    End {
        extra_hash: Option<i64>,
    },
}

/// Reads the whole ledger over `conn` inside one read transaction and sends it to `sender`.
/// Stops quietly when the receiver is gone (the audit found a problem and stopped reading).
pub(crate) fn stream(conn: Connection, name: &str, sender: &SyncSender<Result<Part, LedgerError>>) {
    if let Err(e) = read_all(&conn, name, sender) {
        let _ = sender.send(Err(e));
    }
}

fn read_all(
    conn: &Connection,
    name: &str,
    sender: &SyncSender<Result<Part, LedgerError>>,
) -> Result<(), LedgerError> {
    // The first read after BEGIN fixes the snapshot; every later read sees the same state.
    conn.execute_batch("BEGIN").db(name)?;
    if sender.send(Ok(Part::Head(head(conn, name)?))).is_err() {
        return Ok(());
    }
    let mut reader = Chunks::prepare(conn, name)?;
    while let Some(chunk) = reader.next_chunk()? {
        if sender.send(Ok(chunk)).is_err() {
            return Ok(());
        }
    }
    let extra_hash: Option<i64> = conn
        .query_row(
            "SELECT MIN(id) FROM tree_hashes WHERE id >= ?1",
            [reader.next_hash],
            |r| r.get(0),
        )
        .db(name)?;
    conn.execute_batch("COMMIT").db(name)?;
    let _ = sender.send(Ok(Part::End { extra_hash }));
    Ok(())
}

fn head(conn: &Connection, name: &str) -> Result<Head, LedgerError> {
    Ok(Head {
        origin: meta(conn, name, "origin")?.unwrap_or_default(),
        log_key_id: meta(conn, name, "log_key_id")?.unwrap_or_default(),
        checkpoints: conn
            .prepare("SELECT tree_size, root_hash, note FROM checkpoints ORDER BY tree_size")
            .and_then(|mut stmt| {
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .db(name)?,
        total: conn
            .query_row("SELECT COUNT(*) FROM entries", [], |r| r.get::<_, i64>(0))
            .db(name)?
            .try_into()
            .unwrap_or_default(),
    })
}

/// The statements that read the entries chunk by chunk, and where the next chunk starts.
struct Chunks<'c> {
    name: &'c str,
    entries: rusqlite::Statement<'c>,
    subjects: rusqlite::Statement<'c>,
    hashes: rusqlite::Statement<'c>,
    from: i64,
    next_hash: i64,
}

impl<'c> Chunks<'c> {
    fn prepare(conn: &'c Connection, name: &'c str) -> Result<Self, LedgerError> {
        // A ledger of schema version 1 (which a read-only audit does not migrate) has no
        // signed_key column.
        let has_signed_key = conn
            .query_row(
                "SELECT COUNT(*) FROM pragma_table_info('entries') WHERE name = 'signed_key'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .db(name)?
            == 1;
        let signed_key = if has_signed_key { "signed_key" } else { "NULL" };
        Ok(Chunks {
            name,
            entries: conn
                .prepare(&format!("SELECT idx, kind, integrated_at, body, body_sha256, leaf_hash, signer, {signed_key} FROM entries WHERE idx >= ?1 ORDER BY idx LIMIT ?2"))
                .db(name)?,
            subjects: conn
                .prepare("SELECT idx, digest FROM entry_subjects WHERE idx BETWEEN ?1 AND ?2 ORDER BY idx, digest")
                .db(name)?,
            hashes: conn
                .prepare("SELECT id, hash FROM tree_hashes WHERE id >= ?1 AND id < ?2 ORDER BY id")
                .db(name)?,
            from: 0,
            next_hash: 0,
        })
    }

    /// The next chunk of entries with their subjects, signed-content keys and stored hashes.
    fn next_chunk(&mut self) -> Result<Option<Part>, LedgerError> {
        let name = self.name;
        let mut rows: Vec<Row> = self
            .entries
            .query_map([self.from, CHUNK], Row::read)
            .and_then(Iterator::collect)
            .db(name)?;
        let (Some(first), Some(last)) = (rows.first().map(|r| r.idx), rows.last().map(|r| r.idx))
        else {
            return Ok(None);
        };
        let pairs: Vec<(i64, String)> = self
            .subjects
            .query_map([first, last], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(Iterator::collect)
            .db(name)?;
        attach(&mut rows, pairs, |row, digest| row.subjects.push(digest));
        // Entries are dense from 0 in an honest ledger; the audit reports it when they are not,
        // and then the hash range below is only a bound.
        let hashes_to = stored_hash_count(last + 1);
        let hashes: Vec<(i64, Vec<u8>)> = self
            .hashes
            .query_map([self.next_hash, hashes_to], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(Iterator::collect)
            .db(name)?;
        self.next_hash = hashes_to;
        self.from = last + 1;
        Ok(Some(Part::Chunk { rows, hashes }))
    }
}

impl Row {
    /// A row of `SELECT idx, kind, integrated_at, body, body_sha256, leaf_hash, signer,
    /// signed_key`, its subjects not yet attached.
    pub(crate) fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
        Ok(Row {
            idx: r.get(0)?,
            kind: r.get(1)?,
            integrated_at: r.get(2)?,
            body: r.get(3)?,
            body_sha: r.get(4)?,
            leaf: r.get(5)?,
            signer: r.get(6)?,
            subjects: Vec::new(),
            signed_key: r.get(7)?,
        })
    }
}

/// How many hashes tlog stores for a tree of `size` records.
fn stored_hash_count(size: i64) -> i64 {
    i64::try_from(tlog_tiles::stored_hash_count(
        u64::try_from(size).unwrap_or_default(),
    ))
    .unwrap_or(i64::MAX)
}

/// Hands each (idx, value) pair, both sorted by idx, to the row with that idx.
fn attach<T>(rows: &mut [Row], pairs: Vec<(i64, T)>, mut put: impl FnMut(&mut Row, T)) {
    let mut pairs = pairs.into_iter().peekable();
    for row in rows {
        while pairs.next_if(|(idx, _)| *idx < row.idx).is_some() {}
        while let Some((_, value)) = pairs.next_if(|(idx, _)| *idx == row.idx) {
            put(row, value);
        }
    }
}

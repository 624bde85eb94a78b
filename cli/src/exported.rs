//! The files `vouch export` writes, read back entry by entry (streaming, so an export of any size
//! is read in constant memory): a `ledger` export verified as it is read (its checkpoint with
//! the log key, then every entry's bytes against its leaf and its proof against that
//! checkpoint, none missing), an `.intoto.jsonl` file, or Sigstore bundles.

use std::io::{BufRead, BufReader};
use std::path::Path;

use anyhow::{bail, Context, Result};
use vouch_proto::export::{ExportHeader, ExportedEntry, Selection, LEDGER_EXPORT_FORMAT};
use vouch_proto::{verify_checkpoint, Checkpoint, EntryKind, PublicKey};

use crate::cmd::MAX_INPUT;

/// The most bytes one line of a ledger export may hold: an entry of 1 MiB, base64-encoded,
/// with its proof.
const MAX_LINE: u64 = 2 << 20;

/// One entry of an export file.
pub struct Item {
    /// Where it is, for messages: `entry #INDEX` (its index in the exporting ledger), `line N`,
    /// or a bundle's file name.
    pub label: String,
    /// What it holds.
    pub kind: EntryKind,
    /// Its bytes as the exporting ledger stored them (for `.intoto.jsonl` lines and bundles:
    /// the envelope as vouch stores one, compact JSON and a newline).
    pub body: Vec<u8>,
}

/// A ledger export being read: its header, its verified checkpoint, and the entries to come.
pub struct LedgerExport {
    lines: BufReader<std::fs::File>,
    line: usize,
    /// The header (its selection is not signed).
    pub header: ExportHeader,
    /// The checkpoint, verified with the log key.
    pub checkpoint: Checkpoint,
    expected: std::vec::IntoIter<u64>,
}

impl LedgerExport {
    /// Opens `path` and verifies its checkpoint with `log_key` (the header's own key when
    /// `None`: that proves the file consistent, not whose log it is).
    pub fn open(path: &Path, log_key: Option<&PublicKey>) -> Result<Self> {
        let file =
            std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
        let mut lines = BufReader::new(file);
        let first = read_line(&mut lines, 1)?.context("the file is empty")?;
        let header: ExportHeader = serde_json::from_slice(&first).context(
            "line 1 is not a ledger export header (was it exported with --format ledger?)",
        )?;
        if header.format != LEDGER_EXPORT_FORMAT {
            bail!("format {:?}, not {LEDGER_EXPORT_FORMAT}", header.format);
        }
        let own;
        let key = match log_key {
            Some(key) => key,
            None => {
                own = PublicKey::from_pem(&header.log_key)
                    .context("the header's log key is not a public key")?;
                &own
            }
        };
        let checkpoint = verify_checkpoint(&header.checkpoint, key, Some(&header.origin))
            .context("the export's checkpoint does not verify with the log key")?;
        let expected: Vec<u64> = match &header.selection {
            Selection::Since(since) => (*since..checkpoint.tree_size).collect(),
            Selection::Indexes(list) => list.clone(),
        };
        Ok(LedgerExport {
            lines,
            line: 1,
            header,
            checkpoint,
            expected: expected.into_iter(),
        })
    }

    /// The next entry the header selects, checked against the checkpoint: its index, kind and
    /// bytes. `None` after the last, once no line follows it. An error names the entry.
    pub fn next_entry(&mut self) -> Result<Option<(u64, EntryKind, Vec<u8>)>> {
        self.line += 1;
        let n = self.line;
        let Some(want) = self.expected.next() else {
            if read_line(&mut self.lines, n)?.is_some() {
                bail!("line {n} follows the last entry the header selects");
            }
            return Ok(None);
        };
        let bytes = read_line(&mut self.lines, n)?
            .with_context(|| format!("entry #{want} is missing (the file ends at line {n})"))?;
        let entry: ExportedEntry = serde_json::from_slice(&bytes).with_context(|| {
            format!("line {n} (where entry #{want} belongs) is not an exported entry")
        })?;
        if entry.index != want {
            bail!(
                "entry #{want} is missing (line {n} holds entry #{})",
                entry.index
            );
        }
        let (kind, body) = entry.check(&self.checkpoint)?;
        Ok(Some((want, kind, body)))
    }
}

/// One line of at most [`MAX_LINE`] bytes, `None` at the end of the file.
fn read_line(lines: &mut impl BufRead, n: usize) -> Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    std::io::Read::take(lines, MAX_LINE + 1).read_until(b'\n', &mut buf)?;
    if buf.len() as u64 > MAX_LINE {
        bail!("line {n} is over {MAX_LINE} bytes");
    }
    Ok((!buf.is_empty()).then_some(buf))
}

/// Which kind of export a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `vouch export --format ledger`.
    Ledger,
    /// One envelope per line.
    IntotoJsonl,
    /// A directory of Sigstore bundles, or one bundle.
    Bundles,
}

/// Tells an export's kind from its first bytes (or from being a directory).
pub fn kind_of(path: &Path) -> Result<Kind> {
    if path.is_dir() {
        return Ok(Kind::Bundles);
    }
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let first = read_line(&mut BufReader::new(file), 1)?.unwrap_or_default();
    if first
        .windows(LEDGER_EXPORT_FORMAT.len())
        .any(|w| w == LEDGER_EXPORT_FORMAT.as_bytes())
    {
        Ok(Kind::Ledger)
    } else if crate::sigstore::looks_like_bundle(&first) {
        Ok(Kind::Bundles)
    } else {
        Ok(Kind::IntotoJsonl)
    }
}

/// Hands every entry of the export at `path` (of `kind`, see [`kind_of`]) to `each`, in order;
/// a ledger export is verified as it is read (with `log_key`, or the header's key when `None`).
pub fn read_entries(
    path: &Path,
    kind: Kind,
    log_key: Option<&PublicKey>,
    each: &mut dyn FnMut(Item) -> Result<()>,
) -> Result<()> {
    match kind {
        Kind::Ledger => {
            let mut export = LedgerExport::open(path, log_key)?;
            while let Some((index, kind, body)) = export.next_entry()? {
                each(Item {
                    label: format!("entry #{index}"),
                    kind,
                    body,
                })?;
            }
        }
        Kind::IntotoJsonl => read_jsonl(path, each)?,
        Kind::Bundles => read_bundles(path, each)?,
    }
    Ok(())
}

/// The lines of an `.intoto.jsonl` file, each an envelope as vouch stores it (the line and a
/// newline); blank lines are skipped.
fn read_jsonl(path: &Path, each: &mut dyn FnMut(Item) -> Result<()>) -> Result<()> {
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut lines = BufReader::new(file);
    let mut n = 0;
    loop {
        n += 1;
        let mut buf = Vec::new();
        std::io::Read::take(&mut lines, MAX_INPUT + 2).read_until(b'\n', &mut buf)?;
        if buf.is_empty() {
            return Ok(());
        }
        if buf.len() as u64 > MAX_INPUT + 1 {
            bail!("line {n} is over {MAX_INPUT} bytes");
        }
        while buf.last().is_some_and(|b| b.is_ascii_whitespace()) {
            buf.pop();
        }
        if buf.is_empty() {
            continue;
        }
        buf.push(b'\n');
        each(Item {
            label: format!("line {n}"),
            kind: EntryKind::Attestation,
            body: buf,
        })?;
    }
}

/// The envelopes of a Sigstore bundle file, or of every `*.json` file in a directory (in name
/// order), each as vouch stores an envelope.
fn read_bundles(path: &Path, each: &mut dyn FnMut(Item) -> Result<()>) -> Result<()> {
    let files = if path.is_dir() {
        let mut files: Vec<_> = std::fs::read_dir(path)
            .with_context(|| format!("reading {}", path.display()))?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        files.retain(|p| p.extension().is_some_and(|e| e == "json"));
        files.sort();
        files
    } else {
        vec![path.to_path_buf()]
    };
    for file in files {
        let label = file.display().to_string();
        let bytes = crate::cmd::read_input(&file)?;
        let envelope = crate::sigstore::read_bundle(&bytes).with_context(|| label.clone())?;
        let envelope =
            vouch_proto::Envelope::from_json(&envelope).with_context(|| label.clone())?;
        let mut body = envelope.to_json().into_bytes();
        body.push(b'\n');
        each(Item {
            label,
            kind: EntryKind::Attestation,
            body,
        })?;
    }
    Ok(())
}

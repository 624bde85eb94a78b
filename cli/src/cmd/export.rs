//! `vouch export`: the ledger's entries in formats others verify without trusting vouchd.
//! `intoto-jsonl`: one DSSE envelope per line, exactly as stored (the in-toto bundle,
//! `.intoto.jsonl`). `ledger`: every entry with its inclusion proof against one signed
//! checkpoint ([`vouch_proto::export`]), checked by `vouch verify --ledger-export`. Every entry
//! written has been checked here first: its bytes hash to its leaf, and the leaf is in the
//! checkpoint's tree, whose signature was verified with the log key.

use std::io::{BufWriter, IsTerminal, Write};
use std::path::Path;

use anyhow::{bail, Context, Result};
use base64::Engine as _;
use vouch_ledger::LedgerReader;
use vouch_proto::export::{ExportHeader, ExportedEntry, Selection, LEDGER_EXPORT_FORMAT};

use crate::exported::LedgerExport;
use vouch_proto::{verify_checkpoint, Checkpoint, Digest, EntryKind, ImageRef, InclusionProof};

use crate::cli::{ExportArgs, ExportFormat};
use crate::client::Client;
use crate::cmd::key::{read_public_key, read_public_keys};
use crate::cmd::{progress_bar, Outcome};

/// Where the entries come from: a ledger file, or vouchd.
pub enum Source {
    File(Box<LedgerReader>),
    Daemon(Client),
}

/// One entry as read, before it is checked.
pub struct Raw {
    /// What it holds.
    pub kind: EntryKind,
    /// When it was integrated.
    pub integrated_at: i64,
    /// Its bytes.
    pub body: Vec<u8>,
    /// Its inclusion proof in the checkpoint's tree.
    pub inclusion: InclusionProof,
}

impl Source {
    /// The ledger file `--db` names, or vouchd.
    pub fn from_ledger(ledger: &crate::cli::LedgerArgs, socket: Option<&Path>) -> Result<Self> {
        let Some(db) = &ledger.db else {
            if ledger.log_key.is_some() {
                bail!("--log-key pins the key of a ledger file (--db); with vouchd the CLI pins the key on first contact");
            }
            return Ok(Source::Daemon(Client::new(socket)?));
        };
        let key = crate::cmd::log::pinned_key(ledger)?;
        Ok(Source::File(Box::new(LedgerReader::open(db, key)?)))
    }

    /// The latest checkpoint, its signature verified with the log key (and, from vouchd,
    /// consistent with what this CLI saw before); and the log key's PEM.
    pub fn checkpoint(&self) -> Result<(Checkpoint, String)> {
        match self {
            Source::File(reader) => {
                let view = reader.view();
                let checkpoint = view.check_latest()?;
                verify_checkpoint(&checkpoint.note, view.log_key(), Some(view.origin()))
                    .context("the ledger's latest checkpoint does not verify with its log key")?;
                Ok((checkpoint, view.log_key().to_pem()))
            }
            Source::Daemon(client) => {
                let response = client.checkpoint(None)?;
                let checkpoint = crate::known::observe(client, &response.checkpoint)?;
                Ok((checkpoint, response.log_key))
            }
        }
    }

    /// The entries about `digest`.
    pub fn indexes_for(&self, digest: &Digest) -> Result<Vec<u64>> {
        match self {
            Source::File(reader) => Ok(reader.view().indexes_for_subject(digest)?),
            Source::Daemon(client) => {
                let answer = client.trust(digest, None)?;
                Ok(answer.attestations.iter().map(|a| a.index).collect())
            }
        }
    }

    /// Entry `index` and its proof in the tree of `size` entries (not yet checked).
    pub fn entry(&self, index: u64, size: u64) -> Result<Raw> {
        match self {
            Source::File(reader) => {
                let view = reader.view();
                let entry = view
                    .entry(index)?
                    .with_context(|| format!("entry #{index} is not in the ledger"))?;
                let inclusion = view.inclusion_proof(index, size)?;
                Ok(Raw {
                    kind: entry.kind,
                    integrated_at: entry.integrated_at,
                    body: entry.body,
                    inclusion,
                })
            }
            Source::Daemon(client) => {
                let entry = client.entry(index)?;
                let body = base64::engine::general_purpose::STANDARD
                    .decode(&entry.body)
                    .with_context(|| {
                        format!("vouchd sent entry #{index} with a body that is not base64")
                    })?;
                Ok(Raw {
                    kind: entry.kind.parse().map_err(anyhow::Error::msg)?,
                    integrated_at: entry.integrated_at,
                    body,
                    inclusion: client.inclusion(index, size)?,
                })
            }
        }
    }
}

/// The entries asked for: those about the digests named, else every entry from `--since`.
fn selection(args: &ExportArgs, source: &Source, size: u64) -> Result<Selection> {
    let mut digests: Vec<Digest> = args.digests.clone();
    for image in &args.images {
        digests.push(ImageRef::parse_pinned(image)?.digest());
    }
    if digests.is_empty() {
        if args.since > size {
            bail!("--since {}: the ledger holds {size} entries", args.since);
        }
        return Ok(Selection::Since(args.since));
    }
    let mut indexes = Vec::new();
    for digest in &digests {
        indexes.extend(source.indexes_for(digest)?);
    }
    indexes.retain(|i| *i >= args.since && *i < size);
    indexes.sort_unstable();
    indexes.dedup();
    Ok(Selection::Indexes(indexes))
}

/// Runs `vouch export`.
pub fn run(args: &ExportArgs, socket: Option<&Path>) -> Result<Outcome> {
    let source = Source::from_ledger(&args.ledger, socket)?;
    let (checkpoint, log_key) = source.checkpoint()?;
    let size = checkpoint.tree_size;
    let selection = selection(args, &source, size)?;
    let indexes: Vec<u64> = match &selection {
        Selection::Since(since) => (*since..size).collect(),
        Selection::Indexes(list) => list.clone(),
    };
    let mut sink = Sink::open(args)?;
    if args.format == ExportFormat::Ledger {
        let header = ExportHeader {
            format: LEDGER_EXPORT_FORMAT.into(),
            origin: checkpoint.origin.clone(),
            log_key,
            checkpoint: checkpoint.note.clone(),
            selection,
        };
        sink.line(&serde_json::to_vec(&header)?)?;
    }
    let bar = (indexes.len() > 1000 && std::io::stderr().is_terminal())
        .then(|| progress_bar("exporting"));
    if let Some(bar) = &bar {
        bar.set_length(indexes.len() as u64);
    }
    let mut written = 0u64;
    for index in indexes {
        let raw = source.entry(index, size)?;
        let entry = ExportedEntry::new(raw.kind, raw.integrated_at, &raw.body, raw.inclusion);
        // Nothing leaves unchecked: the bytes hash to the leaf, the leaf is in the signed tree.
        entry.check(&checkpoint)?;
        match args.format {
            ExportFormat::Ledger => sink.line(&serde_json::to_vec(&entry)?)?,
            // A policy entry is not an envelope: the other formats hold envelopes only.
            _ if raw.kind == EntryKind::Policy => continue,
            ExportFormat::IntotoJsonl => sink.line(&compact(&raw.body, index)?)?,
            ExportFormat::SigstoreBundle => {
                let envelope = vouch_proto::Envelope::from_json(&raw.body)
                    .with_context(|| format!("entry #{index} is not a DSSE envelope"))?;
                for (n, bundle) in crate::sigstore::bundles_of(&envelope)?.iter().enumerate() {
                    sink.file(&format!("entry-{index}-{}.sigstore.json", n + 1), bundle)?;
                }
            }
        }
        written += 1;
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    }
    let name = sink.finish()?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    tracing::info!(entries = written, tree_size = size, "exported");
    eprintln!("vouch: exported {written} entries (checkpoint of size {size}) to {name}");
    Ok(Outcome::Yes)
}

/// Where an export goes: lines to a file or standard output, or files in a directory (one
/// Sigstore bundle each).
enum Sink {
    Lines { out: Box<dyn Write>, name: String },
    Dir(std::path::PathBuf),
}

impl Sink {
    fn open(args: &ExportArgs) -> Result<Self> {
        let output = args.output.as_ref().filter(|p| p.as_os_str() != "-");
        if args.format == ExportFormat::SigstoreBundle {
            let dir = output
                .context("--format sigstore-bundle writes one file per bundle: give -o DIR")?;
            std::fs::create_dir(dir).with_context(|| {
                format!(
                    "creating {} (a new directory; an existing one is never written into)",
                    dir.display()
                )
            })?;
            return Ok(Sink::Dir(dir.clone()));
        }
        Ok(match output {
            Some(path) => Sink::Lines {
                out: Box::new(BufWriter::new(create_new(path)?)),
                name: path.display().to_string(),
            },
            None => Sink::Lines {
                out: Box::new(BufWriter::new(std::io::stdout().lock())),
                name: "standard output".into(),
            },
        })
    }

    fn line(&mut self, bytes: &[u8]) -> Result<()> {
        match self {
            Sink::Lines { out, .. } => {
                out.write_all(bytes)?;
                out.write_all(b"\n")?;
                Ok(())
            }
            Sink::Dir(_) => bail!("a directory export takes files, not lines"),
        }
    }

    fn file(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        match self {
            Sink::Dir(dir) => {
                let mut file = create_new(&dir.join(name))?;
                file.write_all(bytes)?;
                Ok(())
            }
            Sink::Lines { .. } => bail!("a line export takes lines, not files"),
        }
    }

    /// Flushes; the name of where it went.
    fn finish(self) -> Result<String> {
        match self {
            Sink::Lines { mut out, name } => {
                out.flush().with_context(|| format!("writing {name}"))?;
                Ok(name)
            }
            Sink::Dir(dir) => Ok(dir.display().to_string()),
        }
    }
}

/// An envelope as stored, on one line: the stored bytes without their trailing line break
/// (vouch writes envelopes compact, one line and a newline), or, for one stored with line
/// breaks inside, re-serialised compactly with every field kept (a JSON Lines file cannot hold
/// a line break inside a document; the signature is over the payload, which is unchanged).
fn compact(body: &[u8], index: u64) -> Result<Vec<u8>> {
    let end = body
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    let trimmed = &body[..end];
    if !trimmed.contains(&b'\n') && !trimmed.contains(&b'\r') {
        return Ok(trimmed.to_vec());
    }
    let value: serde_json::Value =
        serde_json::from_slice(body).with_context(|| format!("entry #{index} is not JSON"))?;
    Ok(serde_json::to_vec(&value)?)
}

/// Creates `path`, refusing to overwrite a file that is there.
fn create_new(path: &Path) -> Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| {
            format!(
                "creating {} (an existing file is never overwritten)",
                path.display()
            )
        })
}

/// What `vouch verify --ledger-export` found.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ExportReport {
    file: String,
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<String>,
    origin: String,
    tree_size: u64,
    entries: u64,
    signatures_checked: u64,
    complete: bool,
}

/// Runs `vouch verify --ledger-export FILE --log-key LOG.pub [--key K]...`: exit 0 when every
/// entry checks out and none the header selects is missing, 1 naming the first that does not,
/// 2 when the file cannot be read as an export.
pub fn verify(path: &Path, args: &crate::cli::VerifyArgs) -> Result<Outcome> {
    let log_key = read_public_key(args.log_key.as_deref().context("--log-key is required")?)?;
    let keys = read_public_keys(&args.keys)?;
    let mut export = LedgerExport::open(path, Some(&log_key))?;
    let checkpoint = &export.checkpoint;
    let mut report = ExportReport {
        file: path.display().to_string(),
        valid: false,
        problem: None,
        origin: checkpoint.origin.clone(),
        tree_size: checkpoint.tree_size,
        entries: 0,
        signatures_checked: 0,
        complete: export.header.selection == Selection::Since(0),
    };
    let outcome = (|| -> Result<()> {
        while let Some((index, kind, body)) = export.next_entry()? {
            if kind == EntryKind::Attestation && check_signature(&body, &keys, index)? {
                report.signatures_checked += 1;
            }
            report.entries += 1;
        }
        Ok(())
    })();
    print_export_report(&mut report, outcome, args.json)
}

/// Re-verifies an attestation's signature when it names one of `keys`; whether it did.
fn check_signature(body: &[u8], keys: &[vouch_proto::PublicKey], index: u64) -> Result<bool> {
    let envelope = vouch_proto::Envelope::from_json(body)
        .with_context(|| format!("entry #{index} is not a DSSE envelope"))?;
    let named = envelope
        .signatures
        .iter()
        .any(|s| keys.iter().any(|k| s.keyid == k.id().to_string()));
    if !named {
        return Ok(false);
    }
    vouch_proto::revocation::verify_submission(&envelope, keys).with_context(|| {
        format!("entry #{index}: its signature does not verify with the key it names")
    })?;
    Ok(true)
}

fn print_export_report(
    report: &mut ExportReport,
    outcome: Result<()>,
    json: bool,
) -> Result<Outcome> {
    report.valid = outcome.is_ok();
    report.problem = outcome.as_ref().err().map(|e| format!("{e:#}"));
    if json {
        crate::cmd::print_line(&serde_json::to_string(report)?)?;
    } else if let Some(problem) = &report.problem {
        crate::cmd::print_line(&format!("{}: INVALID: {problem}", report.file))?;
    } else {
        let complete = if report.complete {
            "the whole log up to that size"
        } else {
            "a selection (the header's selection is not signed)"
        };
        crate::cmd::print_line(&format!(
            "{}: valid: {} entries, each in {}'s signed checkpoint of size {} ({complete}); {} signatures re-verified with the keys given",
            report.file, report.entries, report.origin, report.tree_size, report.signatures_checked
        ))?;
    }
    Ok(if report.valid {
        Outcome::Yes
    } else {
        Outcome::No
    })
}

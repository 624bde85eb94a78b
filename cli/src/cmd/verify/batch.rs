//! `vouch verify` over many envelopes: documents are gathered in chunks as they are named (the
//! next chunk while one is checked), and each chunk is cut into groups, one per thread at a
//! time. A thread reads its group's files, parses them, checks their signatures in batches (a
//! failed batch leaves its signatures to the one-by-one check, which gives the same answers
//! and says which one is bad) and writes their reports; the reports are then printed in the order given. At most
//! three chunks are held at once, so a stream of any length is checked in bounded memory.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender};

use anyhow::Result;
use rayon::prelude::*;
use vouch_proto::dsse::{Pae, MAX_SIGNATURES};
use vouch_proto::{verify_batch, Envelope, KeyId, PublicKey};

use super::files::Opener;
use super::{check_envelope, print};
use crate::cli::VerifyArgs;
use crate::cmd::Outcome;

/// Documents per chunk.
const CHUNK: usize = 4096;

/// The most documents in a group, read and checked by one thread. Larger batches cost less per
/// signature: over 10,000 files, groups of 1,024 took 99-104 ms against 105-110 ms for 256.
const GROUP: usize = 1024;

/// Signatures per batch check (past about 200, batch verification costs least per signature).
const BATCH: usize = 1024;

/// A document to check: bytes already read (a line of a stream), or a file to read.
pub(crate) enum Input {
    /// Its name and bytes (or why they could not be read).
    Bytes(String, Result<Vec<u8>>),
    /// A file.
    File(PathBuf),
    /// A file, or a directory whose files are checked in its place.
    Path(PathBuf),
}

/// A document read: its name and its envelope (from a Sigstore bundle, if it is one).
pub(crate) struct Doc {
    /// The name it is reported under.
    pub(crate) file: String,
    /// The envelope, or why there is none.
    pub(crate) envelope: Result<Envelope>,
}

/// What reading an input gave: a document, or a directory to expand.
enum Read {
    Doc(Doc),
    Directory(PathBuf),
}

impl Read {
    fn input(input: Input, files: &mut Opener) -> Read {
        let (file, bytes) = match input {
            Input::Bytes(name, bytes) => (name, bytes),
            Input::File(path) => (path.display().to_string(), files.read(&path)),
            Input::Path(path) => match files.read(&path) {
                Err(e) if is_directory(&e) => return Read::Directory(path),
                bytes => (path.display().to_string(), bytes),
            },
        };
        let bytes = match bytes {
            Ok(b) if crate::sigstore::looks_like_bundle(&b) => crate::sigstore::read_bundle(&b),
            other => other,
        };
        let envelope = bytes.and_then(|b| Ok(Envelope::from_json(&b)?));
        Read::Doc(Doc { file, envelope })
    }
}

/// Whether reading failed because the path is a directory.
fn is_directory(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == std::io::ErrorKind::IsADirectory)
}

/// Where documents go: gathered into chunks, which go to the checking thread while the next
/// chunk is read. At most three chunks are held at once.
pub(crate) struct Sink {
    pending: Vec<Input>,
    sender: SyncSender<Vec<Input>>,
}

impl Sink {
    /// Takes one document; hands the chunk on once it is full.
    pub(crate) fn push(&mut self, input: Input) -> Result<()> {
        self.pending.push(input);
        if self.pending.len() >= CHUNK {
            self.send()?;
        }
        Ok(())
    }

    fn send(&mut self) -> Result<()> {
        let chunk = std::mem::replace(&mut self.pending, Vec::with_capacity(CHUNK));
        self.sender
            .send(chunk)
            .map_err(|_| anyhow::anyhow!("the checking thread stopped"))
    }
}

/// Reads documents with `read` (which pushes them into a [`Sink`]) while another thread checks
/// and reports them, chunk by chunk, in order. Returns the worst outcome.
pub(crate) fn check_all(
    keys: &[PublicKey],
    args: &VerifyArgs,
    read: impl FnOnce(&mut Sink) -> Result<()>,
) -> Result<Outcome> {
    let checker = Checker::new(keys, args);
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        let worker = scope.spawn(|| checker.run(receiver));
        let mut sink = Sink {
            pending: Vec::with_capacity(CHUNK),
            sender,
        };
        let read = read(&mut sink).and_then(|()| sink.send());
        drop(sink);
        let checked = worker
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the checking thread failed")));
        // The checker's error first: reading stops when it stops.
        let worst = checked?;
        read?;
        Ok(worst)
    })
}

/// Checks chunks and reports them.
struct Checker<'a> {
    keys: &'a [PublicKey],
    ids: Vec<String>,
    args: &'a VerifyArgs,
    bar: indicatif::ProgressBar,
}

impl<'a> Checker<'a> {
    fn new(keys: &'a [PublicKey], args: &'a VerifyArgs) -> Self {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("verifying {pos} envelopes ({per_sec})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        if !std::io::stderr().is_terminal() {
            bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
        }
        Checker {
            keys,
            ids: keys.iter().map(|k| k.id().to_string()).collect(),
            args,
            bar,
        }
    }

    fn run(&self, chunks: Receiver<Vec<Input>>) -> Result<Outcome> {
        let mut worst = Outcome::Yes;
        for chunk in chunks {
            worst = worse(worst, self.check(chunk)?);
        }
        self.bar.finish_and_clear();
        Ok(worst)
    }

    /// Checks one chunk (directories in it expanded in place) and reports it, in order; its
    /// worst outcome. The chunk is cut into groups of [`GROUP`] documents, and each group is
    /// read, batch-checked and reported by one thread from start to end: no core waits for the
    /// other between those steps, and a group's bytes are still in its core's cache when they
    /// are checked.
    fn check(&self, inputs: Vec<Input>) -> Result<Outcome> {
        let size = group_size(inputs.len());
        let groups: Vec<Vec<Item>> = inputs
            .into_par_iter()
            .chunks(size)
            .map(|group| self.check_group(group))
            .collect();
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        let mut worst = Outcome::Yes;
        let mut count = 0;
        for item in groups.into_iter().flatten() {
            let (outcome, text, error) = match item {
                Item::Reported(reported) => reported?,
                Item::Directory(path) => {
                    out.flush()?;
                    worst = worse(worst, self.check_directory(&path)?);
                    continue;
                }
            };
            out.write_all(&text)?;
            if !error.is_empty() {
                out.flush()?;
                std::io::stderr().write_all(&error)?;
            }
            worst = worse(worst, outcome);
            count += 1;
        }
        out.flush()?;
        self.bar.inc(count);
        Ok(worst)
    }

    /// Reads, checks and reports one group of inputs, in order (a directory is left in its
    /// place, to be checked once the documents before it are written).
    fn check_group(&self, inputs: Vec<Input>) -> Vec<Item> {
        let mut items = Vec::with_capacity(inputs.len());
        let mut docs = Vec::with_capacity(inputs.len());
        let mut files = Opener::default();
        for input in inputs {
            match Read::input(input, &mut files) {
                Read::Doc(doc) => docs.push(doc),
                Read::Directory(path) => {
                    self.check_docs(std::mem::take(&mut docs), &mut items);
                    items.push(Item::Directory(path));
                }
            }
        }
        self.check_docs(docs, &mut items);
        items
    }

    /// Checks the files of a directory, a chunk at a time.
    fn check_directory(&self, path: &std::path::Path) -> Result<Outcome> {
        let mut worst = Outcome::Yes;
        let mut chunk = Vec::with_capacity(CHUNK);
        super::directory_files(path, &mut |input| {
            chunk.push(input);
            if chunk.len() >= CHUNK {
                worst = worse(worst, self.check(std::mem::take(&mut chunk))?);
            }
            Ok(())
        })?;
        Ok(worse(worst, self.check(chunk)?))
    }

    /// Checks documents read (their signatures in batches first) and adds their reports to
    /// `items`.
    fn check_docs(&self, docs: Vec<Doc>, items: &mut Vec<Item>) {
        if docs.is_empty() {
            return;
        }
        let proven = if self.args.strict {
            vec![Vec::new(); docs.len()]
        } else {
            prove(&docs, self.keys, &self.ids)
        };
        let (keys, args) = (self.keys, self.args);
        items.extend(docs.into_iter().zip(proven).map(|(doc, proven)| {
            let (report, mut outcome) = check_envelope(doc, keys, &proven);
            if args.require_trusted && outcome == Outcome::Yes && !report.counts_as_trusted {
                outcome = Outcome::No;
            }
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let printed = print(&mut out, &mut err, &report, outcome, args.json);
            Item::Reported(printed.map(|()| (outcome, out, err)))
        }));
    }
}

/// The size of the groups a chunk of `len` documents is cut into: at most [`GROUP`], and
/// small enough that every thread gets one.
fn group_size(len: usize) -> usize {
    let groups = len.div_ceil(GROUP).max(rayon::current_num_threads());
    len.div_ceil(groups).max(1)
}

/// A group's result, in input order: a document's report, or a directory still to check.
enum Item {
    Reported(Result<Reported>),
    Directory(PathBuf),
}

/// A document's outcome and what to write for it on stdout and on stderr.
type Reported = (Outcome, Vec<u8>, Vec<u8>);

/// The worse of two outcomes: an error, then a negative answer.
fn worse(a: Outcome, b: Outcome) -> Outcome {
    match (a, b) {
        (Outcome::Failed, _) | (_, Outcome::Failed) => Outcome::Failed,
        (Outcome::No, _) | (_, Outcome::No) => Outcome::No,
        _ => Outcome::Yes,
    }
}

/// One signature to batch-check: its document, its position there, and the key its keyid names.
struct Candidate {
    doc: usize,
    position: usize,
    key: usize,
}

/// For each document, the (position, key) pairs of its signatures that passed a batch check.
fn prove(docs: &[Doc], keys: &[PublicKey], ids: &[String]) -> Vec<Vec<(usize, KeyId)>> {
    let paes: Vec<Option<Pae>> = docs
        .iter()
        .map(|doc| {
            let envelope = doc.envelope.as_ref().ok()?;
            Some(Pae::new(&envelope.payload_type, &envelope.payload))
        })
        .collect();
    let mut candidates = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        let Ok(envelope) = &doc.envelope else {
            continue;
        };
        for (position, signature) in envelope.signatures.iter().take(MAX_SIGNATURES).enumerate() {
            let named = ids.iter().position(|id| *id == signature.keyid);
            if let Some(key) = named.filter(|_| signature.sig.len() == 64) {
                candidates.push(Candidate {
                    doc: d,
                    position,
                    key,
                });
            }
        }
    }
    let passed: Vec<bool> = candidates
        .chunks(BATCH)
        .map(|batch| {
            let items: Vec<(&Pae, &[u8], &PublicKey)> = batch
                .iter()
                .filter_map(|c| {
                    let message = paes[c.doc].as_ref()?;
                    let envelope = docs[c.doc].envelope.as_ref().ok()?;
                    Some((
                        message,
                        envelope.signatures[c.position].sig.as_slice(),
                        &keys[c.key],
                    ))
                })
                .collect();
            items.len() == batch.len() && verify_batch(&items)
        })
        .collect();
    let mut proven = vec![Vec::new(); docs.len()];
    for (batch, ok) in candidates.chunks(BATCH).zip(passed) {
        if ok {
            for c in batch {
                proven[c.doc].push((c.position, keys[c.key].id()));
            }
        }
    }
    proven
}

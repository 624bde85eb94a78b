//! `vouch verify`: offline verification of review envelopes against reviewer public keys.

mod batch;
mod files;

use std::cell::Cell;
use std::io::{BufRead, Read};
use std::rc::Rc;

use anyhow::{Context, Result};
use chrono::Utc;
use vouch_proto::report::VerifyReport;
use vouch_proto::revocation::{parse_submission, verify_submission_with, Submission};
use vouch_proto::{
    timestamp, verify_read_review, verify_review_with, Envelope, KeyId, PublicKey, Verdict,
};

use crate::cli::VerifyArgs;
use crate::cmd::key::read_public_keys;
use crate::cmd::{Outcome, MAX_INPUT};
use batch::{Doc, Input, Sink};

/// A document's report and what it means for the exit code.
type Checked = (VerifyReport, Outcome);

/// Runs `vouch verify`: every envelope is checked and reported, in the order given; the exit
/// code is the worst result (2 if any envelope was unusable, else 1 if any was invalid).
pub fn run(args: &VerifyArgs) -> Result<Outcome> {
    if let Some(path) = &args.ledger_export {
        return crate::cmd::export::verify(path, args);
    }
    let keys = read_public_keys(&args.keys)?;
    batch::check_all(&keys, args, |sink| read_all(args, sink))
}

/// Pushes every document the arguments name into `sink`, in order.
fn read_all(args: &VerifyArgs, sink: &mut Sink) -> Result<()> {
    for path in &args.envelopes {
        let shown = path.display().to_string();
        if path.as_os_str() == "-" {
            let stdin = std::io::BufReader::new(std::io::stdin().lock());
            stream(stdin, &|_| "-".to_string(), &mut |name, bytes| {
                sink.push(Input::Bytes(name, bytes))
            })?;
        } else if path.extension().is_some_and(|e| e == "jsonl") {
            match std::fs::File::open(path) {
                Ok(file) => lines(std::io::BufReader::new(file), &shown, &mut |name, bytes| {
                    sink.push(Input::Bytes(name, bytes))
                }),
                Err(e) => sink.push(Input::Bytes(
                    shown.clone(),
                    Err(anyhow::Error::new(e).context(shown)),
                )),
            }?;
        } else {
            // A file, or a directory: which one is learnt when it is read (a stat of every
            // path here cost 5% of a run over many files).
            sink.push(Input::Path(path.clone()))?;
        }
    }
    Ok(())
}

/// Hands `each` the files of the directory `path` (not its subdirectories), in the order the
/// directory lists them.
fn directory_files(
    path: &std::path::Path,
    each: &mut dyn FnMut(Input) -> Result<()>,
) -> Result<()> {
    let shown = || path.display().to_string();
    for entry in std::fs::read_dir(path).with_context(|| format!("reading {}", shown()))? {
        let entry = entry.with_context(|| format!("reading {}", shown()))?;
        if entry.file_type().is_ok_and(|t| t.is_file()) {
            each(Input::File(entry.path()))?;
        }
    }
    Ok(())
}

/// Reads a JSON Lines file (`.jsonl`) line by line, each line one envelope of at most
/// [`MAX_INPUT`] bytes (blank lines skipped), and hands each to `report` named `FILE:LINE`.
/// A longer line is reported as an error and skipped without being held in memory.
fn lines(
    mut reader: impl BufRead,
    shown: &str,
    report: &mut dyn FnMut(String, Result<Vec<u8>>) -> Result<()>,
) -> Result<()> {
    for n in 1.. {
        let mut line = Vec::new();
        let read = (&mut reader)
            .take(MAX_INPUT + 1)
            .read_until(b'\n', &mut line)
            .with_context(|| format!("reading {shown}"))?;
        if read == 0 {
            break;
        }
        let name = format!("{shown}:{n}");
        if line.len() as u64 > MAX_INPUT && line.last() != Some(&b'\n') {
            reader
                .skip_until(b'\n')
                .with_context(|| format!("reading {shown}"))?;
            report(
                name,
                Err(anyhow::anyhow!("an envelope over {MAX_INPUT} bytes")),
            )?;
            continue;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        report(name, Ok(line))?;
    }
    Ok(())
}

/// Reads envelopes one JSON document after another (JSON Lines, or pretty-printed ones in a
/// row) as they arrive, each at most [`MAX_INPUT`] bytes, and hands each to `report` with the
/// name `name(n)` (n counting from 1), in order. A document over the cap, or one that is not
/// JSON, ends the stream with an error for that document.
fn stream(
    reader: impl Read,
    name: &dyn Fn(usize) -> String,
    report: &mut dyn FnMut(String, Result<Vec<u8>>) -> Result<()>,
) -> Result<()> {
    let counted = Rc::new(Cell::new(0u64));
    let reader = PerDocumentCap {
        inner: reader,
        read: Rc::clone(&counted),
    };
    // Raw documents: each envelope's bytes exactly as sent, read strictly by Envelope::from_json.
    let documents = serde_json::Deserializer::from_reader(reader)
        .into_iter::<Box<serde_json::value::RawValue>>();
    for (n, document) in documents.enumerate() {
        match document {
            Ok(raw) => report(name(n + 1), Ok(raw.get().as_bytes().to_vec()))?,
            Err(err) => {
                report(name(n + 1), Err(anyhow::anyhow!("{}: {err}", name(n + 1))))?;
                return Ok(());
            }
        }
        counted.set(0);
    }
    Ok(())
}

/// Counts the bytes read since the last document and fails past [`MAX_INPUT`], so one endless
/// document cannot exhaust memory while any number of envelopes can be streamed.
struct PerDocumentCap<R> {
    inner: R,
    read: Rc<Cell<u64>>,
}

impl<R: Read> Read for PerDocumentCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        if self.read.get() > MAX_INPUT {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("an envelope over {MAX_INPUT} bytes"),
            ));
        }
        Ok(n)
    }
}

fn check_envelope(doc: Doc, keys: &[PublicKey], proven: &[(usize, KeyId)]) -> Checked {
    let mut report = VerifyReport {
        file: doc.file,
        valid: false,
        reason: None,
        key_id: None,
        subject: None,
        verdict: None,
        reviewed_at: None,
        expires_at: None,
        expired: false,
        future: false,
        counts_as_trusted: false,
    };
    let envelope = match doc.envelope {
        Ok(envelope) => envelope,
        Err(err) => {
            report.reason = Some(format!("{err:#}"));
            return (report, Outcome::Failed);
        }
    };
    let verified = match parse_submission(&envelope) {
        Ok(Submission::Review(statement)) => {
            verify_read_review(&envelope, *statement, keys, proven)
        }
        Ok(_) => return check_other(report, &envelope, keys, proven),
        // Read again in order, so that a bad signature is reported before a bad Statement.
        Err(_) => verify_review_with(&envelope, keys, proven),
    };
    match verified {
        Ok(verified) => {
            let review = &verified.statement.predicate;
            let subject = &verified.statement.subject[0];
            report.valid = true;
            report.key_id = Some(verified.signer);
            report.subject = Some(format!("{}@{}", subject.name, subject.sha256()));
            report.verdict = Some(review.verdict);
            report.reviewed_at = Some(timestamp::format(&review.reviewed_at));
            report.expires_at = review.expires_at.as_ref().map(timestamp::format);
            let now = Utc::now();
            report.expired = review.is_expired(now);
            report.future = review.check_not_future(now).is_err();
            report.counts_as_trusted =
                review.verdict == Verdict::Trusted && !report.expired && !report.future;
            (report, Outcome::Yes)
        }
        Err(err) => {
            report.reason = Some(err.to_string());
            (report, Outcome::No)
        }
    }
}

/// A retraction or key revocation (in a `.intoto.jsonl` export beside the reviews): its
/// signature, and what it takes back. It never counts as trusted.
fn check_other(
    mut report: VerifyReport,
    envelope: &Envelope,
    keys: &[PublicKey],
    proven: &[(usize, KeyId)],
) -> Checked {
    match verify_submission_with(envelope, keys, proven) {
        Ok(submission) => {
            report.valid = true;
            report.key_id = Some(submission.signer());
            report.subject = Some(match &submission {
                Submission::Retraction(s) => {
                    format!("retraction of ledger entry #{}", s.predicate.entry)
                }
                Submission::KeyRevocation(s) => {
                    format!("revocation of key {}", s.predicate.revoked_key_id)
                }
                Submission::Review(s) => s.predicate.image.reference.clone(),
            });
            (report, Outcome::Yes)
        }
        Err(err) => {
            report.reason = Some(err.to_string());
            (report, Outcome::No)
        }
    }
}

/// Writes the report: results to `out`, errors (an unusable document) to `err`.
fn print(
    out: &mut dyn std::io::Write,
    err: &mut dyn std::io::Write,
    report: &VerifyReport,
    outcome: Outcome,
    json: bool,
) -> Result<()> {
    if json {
        writeln!(out, "{}", serde_json::to_string(report)?)?;
    }
    let reason = report.reason.as_deref().unwrap_or_default();
    match outcome {
        Outcome::Failed => writeln!(err, "vouch: error: {}: {reason}", report.file)?,
        _ if json => {}
        Outcome::No if !report.valid => writeln!(out, "{}: invalid: {reason}", report.file)?,
        Outcome::Yes if report.verdict.is_none() => writeln!(
            out,
            "{}: valid: {} signed by key {}",
            report.file,
            report.subject.as_deref().unwrap_or_default(),
            report.key_id.map(|k| k.to_string()).unwrap_or_default(),
        )?,
        // Valid but refused by --require-trusted: the line says why (rejected, expired, future).
        Outcome::No | Outcome::Yes => {
            let mut line = format!(
                "{}: valid: {} review of {} signed by key {}, reviewed {}",
                report.file,
                report.verdict.map(|v| v.to_string()).unwrap_or_default(),
                report.subject.as_deref().unwrap_or_default(),
                report.key_id.map(|k| k.to_string()).unwrap_or_default(),
                report.reviewed_at.as_deref().unwrap_or_default(),
            );
            if let Some(expires) = &report.expires_at {
                let word = if report.expired { "EXPIRED" } else { "expires" };
                line.push_str(&format!(", {word} {expires}"));
            }
            if report.future {
                line.push_str(", DATED IN THE FUTURE (vouchd refuses it)");
            }
            if report.verdict == Some(Verdict::Rejected) {
                line.push_str("; the reviewer REJECTED this image");
            }
            if !report.counts_as_trusted {
                line.push_str("; it does not count as trusted");
            }
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

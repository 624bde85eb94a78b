//! `vouch verify`: offline verification of review envelopes against reviewer public keys.

use std::cell::Cell;
use std::io::Read;
use std::rc::Rc;

use anyhow::Result;
use chrono::Utc;
use vouch_proto::report::VerifyReport;
use vouch_proto::revocation::{parse_submission, verify_submission, Submission};
use vouch_proto::{timestamp, verify_review, Envelope, PublicKey, Verdict};

use crate::cli::VerifyArgs;
use crate::cmd::key::read_public_keys;
use crate::cmd::{print_line, read_input, Outcome, MAX_INPUT};

/// Runs `vouch verify`: every envelope is checked and reported; the exit code is the worst
/// result (2 if any envelope was unusable, else 1 if any was invalid).
pub fn run(args: &VerifyArgs) -> Result<Outcome> {
    if let Some(path) = &args.ledger_export {
        return crate::cmd::export::verify(path, args);
    }
    let keys = read_public_keys(&args.keys)?;
    let mut worst = Outcome::Yes;
    let mut report = |file: String, bytes: Result<Vec<u8>>| -> Result<()> {
        let (report, mut outcome) = check(file, bytes, &keys);
        if args.require_trusted && outcome == Outcome::Yes && !report.counts_as_trusted {
            outcome = Outcome::No;
        }
        print(&report, outcome, args.json)?;
        worst = match (worst, outcome) {
            (Outcome::Failed, _) | (_, Outcome::Failed) => Outcome::Failed,
            (Outcome::No, _) | (_, Outcome::No) => Outcome::No,
            _ => Outcome::Yes,
        };
        Ok(())
    };
    for path in &args.envelopes {
        let shown = path.display().to_string();
        if path.as_os_str() == "-" {
            let stdin = std::io::BufReader::new(std::io::stdin().lock());
            stream(stdin, &|_| "-".to_string(), &mut report)?;
        } else if path.extension().is_some_and(|e| e == "jsonl") {
            match std::fs::File::open(path) {
                Ok(file) => {
                    let name = |n: usize| format!("{shown}:{n}");
                    stream(std::io::BufReader::new(file), &name, &mut report)
                }
                Err(e) => report(shown.clone(), Err(anyhow::Error::new(e).context(shown))),
            }?;
        } else {
            report(shown, read_input(path))?;
        }
    }
    Ok(worst)
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

/// Checks one document: a DSSE envelope, or a Sigstore bundle holding one.
fn check(file: String, bytes: Result<Vec<u8>>, keys: &[PublicKey]) -> (VerifyReport, Outcome) {
    let bytes = match bytes {
        Ok(b) if crate::sigstore::looks_like_bundle(&b) => crate::sigstore::read_bundle(&b),
        other => other,
    };
    check_envelope(file, bytes, keys)
}

fn check_envelope(
    file: String,
    bytes: Result<Vec<u8>>,
    keys: &[PublicKey],
) -> (VerifyReport, Outcome) {
    let mut report = VerifyReport {
        file,
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
    let envelope = match bytes.and_then(|bytes| Ok(Envelope::from_json(&bytes)?)) {
        Ok(envelope) => envelope,
        Err(err) => {
            report.reason = Some(format!("{err:#}"));
            return (report, Outcome::Failed);
        }
    };
    let review = parse_submission(&envelope).map(|s| matches!(s, Submission::Review(_)));
    if let Ok(false) = review {
        return check_other(report, &envelope, keys);
    }
    match verify_review(&envelope, keys) {
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
) -> (VerifyReport, Outcome) {
    match verify_submission(envelope, keys) {
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

fn print(report: &VerifyReport, outcome: Outcome, json: bool) -> Result<()> {
    if json {
        print_line(&serde_json::to_string(report)?)?;
    }
    let reason = report.reason.as_deref().unwrap_or_default();
    match outcome {
        Outcome::Failed => eprintln!("vouch: error: {}: {reason}", report.file),
        _ if json => {}
        Outcome::No if !report.valid => print_line(&format!("{}: invalid: {reason}", report.file))?,
        Outcome::Yes if report.verdict.is_none() => print_line(&format!(
            "{}: valid: {} signed by key {}",
            report.file,
            report.subject.as_deref().unwrap_or_default(),
            report.key_id.map(|k| k.to_string()).unwrap_or_default(),
        ))?,
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
            print_line(&line)?;
        }
    }
    Ok(())
}

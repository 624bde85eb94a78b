//! `vouch verify`: offline verification of review envelopes against reviewer public keys.

use std::path::Path;

use anyhow::Result;
use chrono::Utc;
use vouch_proto::report::VerifyReport;
use vouch_proto::{timestamp, verify_review, Envelope, PublicKey, Verdict};

use crate::cli::VerifyArgs;
use crate::cmd::key::read_public_key;
use crate::cmd::{print_line, read_input, Outcome};

/// Runs `vouch verify`: every envelope is checked and reported; the exit code is the worst
/// result (2 if any envelope was unusable, else 1 if any was invalid).
pub fn run(args: &VerifyArgs) -> Result<Outcome> {
    let keys = args
        .keys
        .iter()
        .map(|path| read_public_key(path))
        .collect::<Result<Vec<_>>>()?;
    let mut worst = Outcome::Yes;
    for path in &args.envelopes {
        let (report, mut outcome) = check(path, &keys);
        if args.require_trusted && outcome == Outcome::Yes && !report.counts_as_trusted {
            outcome = Outcome::No;
        }
        print(&report, outcome, args.json)?;
        worst = match (worst, outcome) {
            (Outcome::Failed, _) | (_, Outcome::Failed) => Outcome::Failed,
            (Outcome::No, _) | (_, Outcome::No) => Outcome::No,
            _ => Outcome::Yes,
        };
    }
    Ok(worst)
}

fn check(path: &Path, keys: &[PublicKey]) -> (VerifyReport, Outcome) {
    let mut report = VerifyReport {
        file: path.display().to_string(),
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
    let envelope = match read_input(path).and_then(|bytes| Ok(Envelope::from_json(&bytes)?)) {
        Ok(envelope) => envelope,
        Err(err) => {
            report.reason = Some(format!("{err:#}"));
            return (report, Outcome::Failed);
        }
    };
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

fn print(report: &VerifyReport, outcome: Outcome, json: bool) -> Result<()> {
    if json {
        print_line(&serde_json::to_string(report)?)?;
    }
    let reason = report.reason.as_deref().unwrap_or_default();
    match outcome {
        Outcome::Failed => eprintln!("vouch: error: {}: {reason}", report.file),
        _ if json => {}
        Outcome::No => print_line(&format!("{}: invalid: {reason}", report.file))?,
        Outcome::Yes => {
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

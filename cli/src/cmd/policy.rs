//! `vouch policy lint` and `vouch policy test`: a policy checked before vouchd loads it, and
//! tried against a ledger file with the same code vouchd decides with (vouch-trust), so that
//! the two agree.

use anyhow::{bail, Context, Result};
use serde_json::json;
use vouch_proto::api::TrustResponse;
use vouch_proto::{Digest, ImageRef, Policy};
use vouch_trust::{Audited, Evaluator, Question, TrustIndex};

use crate::cli::{PolicyLintArgs, PolicyTestArgs};
use crate::cmd::{print_line, Outcome};

/// Runs `vouch policy lint`.
pub fn lint(args: &PolicyLintArgs) -> Result<Outcome> {
    // An unreadable file is an error (exit 2); a file that reads but cannot be used is the
    // negative answer (exit 1).
    std::fs::metadata(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    match vouch_trust::read_policy(&args.file) {
        Ok(policy) => {
            let summary = json!({
                "ok": true,
                "reviewers": policy.reviewers.len(),
                "admins": policy.admins.len(),
                "rules": policy.rules.iter().map(|r| r.scope.clone()).collect::<Vec<_>>(),
                "roots": policy.roots.len(),
            });
            if args.json {
                print_line(&summary.to_string())?;
            } else {
                print_line(&format!(
                    "ok: {} reviewer(s), {} admin(s), rules for {}, {} root(s)",
                    policy.reviewers.len(),
                    policy.admins.len(),
                    policy
                        .rules
                        .iter()
                        .map(|r| r.scope.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    policy.roots.len()
                ))?;
            }
            Ok(Outcome::Yes)
        }
        Err(error) => {
            if args.json {
                print_line(&json!({"ok": false, "error": error}).to_string())?;
            } else {
                print_line(&format!("not usable: {error}"))?;
            }
            Ok(Outcome::No)
        }
    }
}

/// Runs `vouch policy test`.
pub fn test(args: &PolicyTestArgs) -> Result<Outcome> {
    let policy: Policy = vouch_trust::read_policy(&args.policy).map_err(anyhow::Error::msg)?;
    let Some(db) = args.ledger.db.clone() else {
        bail!("vouch policy test reads a ledger file: give --db (or VOUCH_DB)");
    };
    let questions = args
        .images
        .iter()
        .map(|image| question(image))
        .collect::<Result<Vec<_>>>()?;
    let log_key = crate::cmd::log::pinned_key(&args.ledger)?;
    let Audited { index, report, .. } = TrustIndex::from_audit(&db, log_key, policy.keys())
        .with_context(|| format!("auditing {}", db.display()))?;
    if !report.intact {
        let problem = report.problem.map(|p| p.to_string()).unwrap_or_default();
        bail!(
            "the ledger {} fails its audit, so nothing in it can be trusted: {problem}",
            db.display()
        );
    }
    let now = chrono::Utc::now();
    let mut evaluator = Evaluator::new(&policy, &index, now);
    let mut all = true;
    for (given, question) in args.images.iter().zip(&questions) {
        let decision = evaluator.decide(question);
        let warn = decision.mode == vouch_proto::policy::Mode::Warn;
        all &= decision.trusted || warn;
        let answer = TrustResponse {
            digest: question.digest.to_string(),
            trusted: decision.trusted,
            reasons: decision.reasons,
            attestations: decision.attestations,
            image: question.repository.clone(),
            rule: decision.rule,
            mode: Some(if warn { "warn" } else { "enforce" }.to_string()),
            policy_entry: None,
            checkpoint: None,
        };
        if args.json {
            print_line(&serde_json::to_string(&answer)?)?;
        } else {
            let verdict = if answer.trusted {
                "TRUSTED"
            } else {
                "NOT TRUSTED"
            };
            print_line(&format!("{verdict}: {given}"))?;
            for reason in &answer.reasons {
                print_line(&format!("  - {}", reason.text))?;
            }
            if let Some(rule) = &answer.rule {
                print_line(&format!(
                    "  (policy rule {rule}, mode {})",
                    answer.mode.as_deref().unwrap_or("enforce")
                ))?;
            }
        }
    }
    Ok(if all { Outcome::Yes } else { Outcome::No })
}

/// `REPO@sha256:HEX` or `sha256:HEX` as a question.
fn question(image: &str) -> Result<Question> {
    if image.starts_with("sha256:") {
        let digest: Digest = image.parse().with_context(|| format!("{image:?}"))?;
        return Ok(Question {
            digest,
            repository: None,
        });
    }
    let pinned = ImageRef::parse_pinned(image)?;
    Ok(Question {
        digest: pinned.digest(),
        repository: Some(pinned.name().to_string()),
    })
}

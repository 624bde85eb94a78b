//! `vouch review`: the checklist of a Dockerfile.

use anyhow::{Context, Result};
use vouch_dockerfile::{analyze, ReviewReport, Severity};
use vouch_proto::findings::DockerfileRef;
use vouch_proto::Digest;

use crate::cli::ReviewArgs;
use crate::cmd::{print_line, read_input, Outcome};

/// Runs `vouch review`.
pub fn run(args: &ReviewArgs) -> Result<Outcome> {
    let build_args = crate::cmd::build_args(&args.build_args)?;
    let bytes = read_input(&args.path)?;
    let name = args.path.display().to_string();
    let text =
        String::from_utf8(bytes.clone()).with_context(|| format!("{name} is not UTF-8 text"))?;
    let findings = analyze(&text, &build_args).with_context(|| name.clone())?;
    let report = ReviewReport {
        dockerfile: DockerfileRef {
            path: name.clone(),
            sha256: Digest::of(&bytes).hex(),
        },
        findings,
    };
    if let Some(envelope) = &args.diff {
        return diff(envelope, &report, args.json);
    }
    if args.json {
        print_line(&serde_json::to_string(&report)?)?;
        return Ok(Outcome::Yes);
    }
    if args.sarif {
        print_line(&serde_json::to_string(&sarif(&report))?)?;
        return Ok(Outcome::Yes);
    }
    print_line(&format!(
        "{name} (sha256 {}): {} things to check",
        report.dockerfile.sha256,
        report.findings.len()
    ))?;
    for finding in &report.findings {
        print_line(&describe(finding))?;
    }
    Ok(Outcome::Yes)
}

/// A finding as people read it (vouch review, review --diff and the attest prompt): a blank
/// line, `[ID] line N, SEVERITY: summary`, the instruction, and what to check.
pub fn describe(finding: &vouch_dockerfile::Finding) -> String {
    let severity = match finding.severity {
        Severity::Info => "info",
        Severity::Low => "low",
        Severity::Medium => "MEDIUM",
        Severity::High => "HIGH",
    };
    let at = if finding.line == 0 {
        "end".to_string()
    } else {
        format!("line {}", finding.line)
    };
    let mut text = format!("\n[{}] {at}, {severity}: {}", finding.id, finding.summary);
    if !finding.instruction.is_empty() {
        text.push_str(&format!("\n    {}", finding.instruction));
    }
    text.push_str(&format!("\n    check: {}", finding.check));
    text
}

/// `vouch review --diff --json`.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct DiffReport<'a> {
    /// The Dockerfile reviewed before, as the earlier attestation recorded it.
    previous: Option<&'a vouch_proto::review::Dockerfile>,
    /// The Dockerfile now.
    dockerfile: &'a DockerfileRef,
    /// Findings not in the earlier checklist: new, or changed since.
    new: Vec<&'a vouch_dockerfile::Finding>,
    /// Ids of findings already reviewed and unchanged.
    unchanged: Vec<&'a str>,
    /// Ids of earlier checklist items that no longer apply.
    removed: Vec<&'a str>,
}

fn diff(envelope_path: &std::path::Path, report: &ReviewReport, json: bool) -> Result<Outcome> {
    let bytes = read_input(envelope_path)?;
    let envelope = vouch_proto::Envelope::from_json(&bytes)
        .with_context(|| envelope_path.display().to_string())?;
    // The earlier review is read, not verified: `vouch verify` says who signed it.
    let statement: vouch_proto::ReviewStatement =
        vouch_proto::Statement::from_payload(&envelope.payload)
            .map_err(anyhow::Error::from)
            .and_then(|s| s.into_typed().map_err(anyhow::Error::from))
            .with_context(|| format!("{}: not a Vouch review", envelope_path.display()))?;
    let before = &statement.predicate.checklist;
    let now: Vec<&str> = report.findings.iter().map(|f| f.id.as_str()).collect();
    let diff = DiffReport {
        previous: statement.predicate.dockerfile.as_ref(),
        dockerfile: &report.dockerfile,
        new: report
            .findings
            .iter()
            .filter(|f| !before.iter().any(|b| b.id == f.id))
            .collect(),
        unchanged: now
            .iter()
            .copied()
            .filter(|id| before.iter().any(|b| b.id == *id))
            .collect(),
        removed: before
            .iter()
            .map(|b| b.id.as_str())
            .filter(|id| !now.contains(id))
            .collect(),
    };
    if json {
        print_line(&serde_json::to_string(&diff)?)?;
        return Ok(Outcome::Yes);
    }
    let same_file = diff
        .previous
        .is_some_and(|p| p.sha256.hex() == report.dockerfile.sha256);
    print_line(&format!(
        "{}: {} new or changed, {} unchanged, {} gone since the review in {}{}",
        report.dockerfile.path,
        diff.new.len(),
        diff.unchanged.len(),
        diff.removed.len(),
        envelope_path.display(),
        if same_file { " (same file)" } else { "" }
    ))?;
    for finding in &diff.new {
        print_line(&describe(finding))?;
    }
    for id in &diff.removed {
        print_line(&format!("gone: {id}"))?;
    }
    Ok(Outcome::Yes)
}

/// Where the rules are documented, one anchor per code.
const README_URL: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/README.md");

/// The report as a SARIF 2.1.0 log: the rules are vouch-dockerfile's rule table (code, title,
/// help, a link to the README's list), one result per finding, and the finding id as a partial
/// fingerprint so that code-scanning tools track it across runs.
fn sarif(report: &ReviewReport) -> serde_json::Value {
    use vouch_dockerfile::rule;
    let rules: Vec<serde_json::Value> = rule::ALL
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.code,
                "name": r.kind.as_str(),
                "shortDescription": { "text": r.title },
                "fullDescription": { "text": r.help },
                "help": { "text": r.help },
                "helpUri": format!("{}#{}", README_URL, r.code.to_lowercase()),
            })
        })
        .collect();
    let uri = if report.dockerfile.path == "-" {
        "Dockerfile".to_string()
    } else {
        report.dockerfile.path.clone()
    };
    let results: Vec<serde_json::Value> = report
        .findings
        .iter()
        .map(|f| {
            let level = match f.severity {
                Severity::Info | Severity::Low => "note",
                Severity::Medium => "warning",
                Severity::High => "error",
            };
            let mut location =
                serde_json::json!({ "physicalLocation": { "artifactLocation": { "uri": uri } } });
            if f.line > 0 {
                location["physicalLocation"]["region"] = serde_json::json!({ "startLine": f.line });
            }
            serde_json::json!({
                "ruleId": f.rule,
                "ruleIndex": rule::ALL.iter().position(|r| r.code == f.rule).unwrap_or(0),
                "level": level,
                "message": { "text": format!("{} Check: {}", f.summary, f.check) },
                "locations": [location],
                "partialFingerprints": { "vouchFindingId/v1": f.id },
                "properties": { "severity": f.severity, "instruction": f.instruction },
            })
        })
        .collect();
    serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "vouch", "version": env!("CARGO_PKG_VERSION"), "rules": rules } },
            "artifacts": [{ "location": { "uri": uri }, "hashes": { "sha-256": report.dockerfile.sha256 } }],
            "results": results,
        }],
    })
}

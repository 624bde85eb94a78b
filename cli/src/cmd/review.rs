//! `vouch review`: the checklist of a Dockerfile.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use vouch_dockerfile::{analyze, ReviewReport, Severity};
use vouch_proto::findings::DockerfileRef;
use vouch_proto::Digest;

use crate::cli::ReviewArgs;
use crate::cmd::{print_line, read_input, Outcome};

/// Runs `vouch review`.
pub fn run(args: &ReviewArgs) -> Result<Outcome> {
    let mut build_args = BTreeMap::new();
    for arg in &args.build_args {
        let Some((key, value)) = arg.split_once('=') else {
            bail!("--build-arg {arg:?}: write it as KEY=VALUE");
        };
        build_args.insert(key.to_string(), value.to_string());
    }
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
    if args.json {
        print_line(&serde_json::to_string(&report)?)?;
        return Ok(Outcome::Yes);
    }
    print_line(&format!(
        "{name} (sha256 {}): {} things to check",
        report.dockerfile.sha256,
        report.findings.len()
    ))?;
    for finding in &report.findings {
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
        print_line(&format!(
            "\n[{}] {at}, {severity}: {}",
            finding.id, finding.summary
        ))?;
        if !finding.instruction.is_empty() {
            print_line(&format!("    {}", finding.instruction))?;
        }
        print_line(&format!("    check: {}", finding.check))?;
    }
    Ok(Outcome::Yes)
}

//! `vouch review`: the checklist of a Dockerfile, as text and as JSON that follows its schema.

use std::path::{Path, PathBuf};

use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use serde_json::Value;
use vouch_proto::findings::{FindingKind, ReviewReport, Severity};

use crate::support::{data, Home};

fn schema() -> jsonschema::Validator {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/json/review-report-v2.schema.json");
    jsonschema::validator_for(&serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap())
        .unwrap()
}

#[test]
fn json_output_follows_the_schema_for_the_whole_corpus() {
    let home = Home::new();
    let validator = schema();
    let dir = data("dockerfiles");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let out = home
            .vouch()
            .args(["review", "--json"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let value: Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        let report: ReviewReport = serde_json::from_value(value).unwrap();
        assert_eq!(
            report.dockerfile.sha256,
            vouch_proto::Digest::of(&std::fs::read(&path).unwrap()).hex()
        );
        files += 1;
    }
    assert!(files >= 25);
}

#[test]
fn the_blog_example_reads_as_a_checklist() {
    let home = Home::new();
    let path = data("dockerfiles/01-blog-yocto.Dockerfile");
    home.vouch()
        .arg("review")
        .arg(&path)
        .assert()
        .success()
        .stdout(
            contains("7 things to check")
                .and(contains("line 12, HIGH: ENTRYPOINT runs /usr/bin/dumb-init (exec form), but no instruction creates that path"))
                .and(contains("check: ")),
        );
    // Standard input, build args, and JSON decoded into types.
    let out = home
        .vouch()
        .args(["review", "--json", "--build-arg", "TAG=3.20", "-"])
        .write_stdin("ARG TAG=latest\nFROM alpine:${TAG}\nRUN curl https://x/i.sh | sh\n")
        .output()
        .unwrap();
    let report: ReviewReport = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.dockerfile.path, "-");
    assert_eq!(report.findings[0].kind, FindingKind::BaseImage);
    assert!(report.findings[0].summary.contains("alpine:3.20"));
    assert_eq!(report.findings[1].severity, Severity::High);
}

#[test]
fn unreadable_and_malformed_files_are_errors() {
    let home = Home::new();
    home.vouch()
        .args(["review", "/nonexistent/Dockerfile"])
        .assert()
        .code(2)
        .stderr(contains("/nonexistent/Dockerfile"));
    let bad = home.path("Dockerfile");
    std::fs::write(&bad, "FROM alpine\nFROBNICATE now\n").unwrap();
    home.vouch()
        .arg("review")
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(contains("not a Dockerfile Vouch can read"));
    home.vouch()
        .args(["review", "--build-arg", "NOEQUALS"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(contains("KEY=VALUE"));
}

/// Peer: every corpus file's SARIF validates against the SARIF 2.1.0 schema with ajv, and a
/// broken log does not.
#[test]
fn sarif_output_validates_against_the_sarif_schema() {
    let Some(modules) = crate::support::sarif_validator() else {
        return;
    };
    let home = Home::new();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(data("dockerfiles")).unwrap() {
        let path = entry.unwrap().path();
        let out = home
            .vouch()
            .args(["review", "--sarif"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.success());
        let log: Value = serde_json::from_slice(&out.stdout).unwrap();
        let json = home
            .vouch()
            .args(["review", "--json"])
            .arg(&path)
            .output()
            .unwrap();
        let report: ReviewReport = serde_json::from_slice(&json.stdout).unwrap();
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), report.findings.len());
        for (result, finding) in results.iter().zip(&report.findings) {
            assert_eq!(
                result["partialFingerprints"]["vouchFindingId/v1"],
                finding.id.as_str()
            );
            // The rule is the finding's, from vouch-dockerfile's table, with its help and a link
            // to its row in the README.
            assert_eq!(result["ruleId"], finding.rule.as_str());
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            let rule = &log["runs"][0]["tool"]["driver"]["rules"][index];
            assert_eq!(rule["id"], finding.rule.as_str());
            assert!(!rule["help"]["text"].as_str().unwrap().is_empty());
            assert!(rule["helpUri"]
                .as_str()
                .unwrap()
                .ends_with(&format!("README.md#{}", finding.rule.to_lowercase())));
        }
        let file = home.path(&format!(
            "{}.sarif",
            path.file_name().unwrap().to_string_lossy()
        ));
        std::fs::write(&file, &out.stdout).unwrap();
        files.push(file);
    }
    let broken = home.path("broken.sarif");
    std::fs::write(&broken, r#"{"version":"2.1.0","runs":[{"tool":{}}]}"#).unwrap();
    let validate = |files: &[PathBuf]| {
        std::process::Command::new("node")
            .arg(crate::support::script("validate_sarif.js"))
            .arg(&modules)
            .args(files)
            .output()
            .unwrap()
    };
    let out = validate(&files);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with("valid "))
            .count(),
        files.len()
    );
    assert_eq!(validate(&[broken]).status.code(), Some(1));
}

//! The JSON Schemas in `schema/json/` describe what Vouch writes.

use std::path::Path;

use serde_json::Value;
use vouch_tests::vectors;

use crate::pull::{code, text};
use crate::support::{image, Home};

fn schema(name: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../schema/json")
        .join(name);
    let schema: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn assert_valid(validator: &jsonschema::Validator, instance: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:?}");
}

fn payload_of(envelope: &[u8]) -> Value {
    let envelope = vouch_proto::Envelope::from_json(envelope).unwrap();
    serde_json::from_slice(&envelope.payload).unwrap()
}

#[test]
fn attest_output_validates_against_the_schemas() {
    let statement = schema("review-statement-v1.schema.json");
    let envelope = schema("dsse-envelope-v1.schema.json");
    let home = Home::new();
    home.generate_key();
    let dockerfile = home.path("Dockerfile");
    std::fs::write(&dockerfile, "FROM scratch\n").unwrap();
    let runs: Vec<Vec<String>> = vec![
        vec![
            "--verdict".into(),
            "trusted".into(),
            "--image".into(),
            image("5f"),
        ],
        vec![
            "--verdict".into(),
            "rejected".into(),
            "--image".into(),
            format!("ghcr.io/org/app@sha256:{}", "1".repeat(64)),
            "--dockerfile".into(),
            dockerfile.display().to_string(),
            "--source".into(),
            format!("git@github.com:org/app.git@{}", "c".repeat(40)),
            "--base".into(),
            image("6a"),
            "--download".into(),
            format!("https://e.com/f=sha256:{}", "2".repeat(64)),
            "--build".into(),
            "https://ci/1".into(),
            "--note".into(),
            "n".into(),
            "--expires".into(),
            "36h".into(),
            "--reviewer-name".into(),
            "A".into(),
            "--reviewer-email".into(),
            "a@b".into(),
        ],
    ];
    for args in runs {
        let out = home.vouch().arg("attest").args(&args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_valid(
            &envelope,
            &serde_json::from_slice(&out.stdout).unwrap(),
            "envelope",
        );
        assert_valid(&statement, &payload_of(&out.stdout), "statement");
    }
}

#[test]
fn vector_payloads_validate_or_fail_as_they_should() {
    let statement = schema("review-statement-v1.schema.json");
    for vector in vectors::all() {
        let Ok(envelope) = vouch_proto::Envelope::from_json(&vector.bytes) else {
            continue;
        };
        let Ok(payload) = serde_json::from_slice::<Value>(&envelope.payload) else {
            continue;
        };
        let valid = statement.is_valid(&payload);
        match vector.file {
            "fail_digest_wrong_length.json"
            | "fail_digest_not_hex.json"
            | "fail_not_a_statement.json" => {
                assert!(!valid, "{} must not validate", vector.file)
            }
            file if file.starts_with("ok_") => assert!(valid, "{file} must validate"),
            _ => {}
        }
    }
}

/// The README's annotated policy is a policy vouch reads, and valid against
/// `schema/json/policy-v1.schema.json`; a policy with a misspelt field is not.
#[test]
fn the_readme_policy_example_reads_and_follows_its_schema() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    let start = readme.find("## The trust policy").unwrap();
    let block = readme[start..].split("```toml\n").nth(1).unwrap();
    let example = block
        .split("```")
        .next()
        .unwrap()
        .replace("<hex>", &"ab".repeat(32));
    let pem = vouch_proto::SecretKey::from_seed(&[5; 32])
        .public()
        .to_pem();
    let policy = vouch_proto::Policy::from_toml(&example, &|_| Ok(pem.clone())).unwrap();
    assert_eq!(policy.rules.len(), 2);
    let as_json: Value =
        serde_json::to_value(toml::from_str::<toml::Value>(&example).unwrap()).unwrap();
    let validator = schema("policy-v1.schema.json");
    assert_valid(&validator, &as_json, "the README's policy");
    let misspelt: Value = serde_json::to_value(
        toml::from_str::<toml::Value>(&example.replace("threshold = 2", "treshold = 2")).unwrap(),
    )
    .unwrap();
    assert!(
        !validator.is_valid(&misspelt),
        "a misspelt field passes the schema"
    );
    assert!(vouch_proto::Policy::from_toml(
        &example.replace("threshold = 2", "treshold = 2"),
        &|_| Ok(pem.clone())
    )
    .is_err());
}

/// Every line of a real `vouch export --format ledger` follows
/// `schema/json/ledger-export-v1.schema.json`; a line with a field too many does not.
#[test]
fn a_ledger_export_follows_its_schema() {
    let validator = schema("ledger-export-v1.schema.json");
    let setup = crate::daemon::Setup::new(&[]);
    let envelope = setup.attest(&image("5a"), "trusted", "a.json");
    setup.vouch().arg("submit").arg(envelope).assert().success();
    let out = setup
        .vouch()
        .args(["export", "--format", "ledger"])
        .assert()
        .success();
    let lines: Vec<Value> = String::from_utf8(out.get_output().stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "a header and one entry");
    for (n, line) in lines.iter().enumerate() {
        assert_valid(&validator, line, &format!("line {}", n + 1));
    }
    for mut line in lines {
        line["extra"] = Value::Bool(true);
        assert!(
            !validator.is_valid(&line),
            "an unknown field must not validate"
        );
    }
}

/// The commented example config files follow their schemas (which refuse unknown keys, as the
/// programs do) and are read by their program without an error.
#[test]
fn the_example_config_files_follow_their_schemas() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for (example, schema_name) in [
        ("cli/etc/config.toml", "vouch-config-v1.schema.json"),
        ("daemon/etc/vouchd.toml", "vouchd-config-v1.schema.json"),
    ] {
        let text = std::fs::read_to_string(root.join(example)).unwrap();
        let as_json: Value =
            serde_json::to_value(toml::from_str::<toml::Value>(&text).unwrap()).unwrap();
        let validator = schema(schema_name);
        assert_valid(&validator, &as_json, example);
        let mut wrong = as_json.clone();
        wrong["sokcet"] = "x".into();
        assert!(
            !validator.is_valid(&wrong),
            "{schema_name} takes an unknown key"
        );
    }
    // vouch reads its example (config show names the file as the source).
    let home = Home::new();
    let out = home
        .vouch()
        .env("VOUCH_CONFIG", root.join("cli/etc/config.toml"))
        .env_remove("VOUCH_SOCKET")
        .args(["config", "show"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(text(&out).contains("cli/etc/config.toml:7"));
    // vouchd reads its config before its flags: with --help it stops after reading it.
    let out = std::process::Command::new(crate::support::bin("vouchd"))
        .arg("--config")
        .arg(root.join("daemon/etc/vouchd.toml"))
        .arg("--help")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out));
}

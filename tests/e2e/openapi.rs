//! `schema/openapi.yaml` is kept true: every operation in it is called on the real daemon, every
//! status it answers is listed, and every JSON answer validates against the listed schema.

use std::path::Path;

use serde_json::Value;

use crate::daemon::Setup;
use crate::support::{data, image};

#[test]
fn the_openapi_description_matches_the_daemon() {
    let setup = Setup::new(&[]);
    let good = setup.attest(&image("5f"), "trusted", "good.json");
    setup.vouch().arg("submit").arg(&good).assert().success();
    let spec_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/openapi.yaml");
    let spec: Value = serde_norway::from_str(&std::fs::read_to_string(spec_path).unwrap()).unwrap();
    let digest = format!("sha256:{}", "5f".repeat(32));
    let calls: Vec<(&str, &str, String, Vec<u8>)> = vec![
        (
            "/v1/entries",
            "post",
            "/v1/entries".into(),
            std::fs::read(&good).unwrap(),
        ),
        (
            "/v1/entries",
            "post",
            "/v1/entries".into(),
            std::fs::read(data("fail_wrong_key.json")).unwrap(),
        ),
        (
            "/v1/import",
            "post",
            "/v1/import".into(),
            import_body(&[&good, &data("fail_wrong_key.json")], false),
        ),
        (
            "/v1/import",
            "post",
            "/v1/import".into(),
            import_body(&[&good], true),
        ),
        ("/v1/import", "post", "/v1/import".into(), b"[]".to_vec()),
        ("/v1/entries/{index}", "get", "/v1/entries/0".into(), vec![]),
        ("/v1/entries/{index}", "get", "/v1/entries/9".into(), vec![]),
        (
            "/v1/entries/{index}",
            "get",
            "/v1/entries/abc".into(),
            vec![],
        ),
        (
            "/v1/trust/{digest}",
            "get",
            format!("/v1/trust/{digest}"),
            vec![],
        ),
        ("/v1/trust/{digest}", "get", "/v1/trust/nope".into(), vec![]),
        ("/v1/checkpoint", "get", "/v1/checkpoint".into(), vec![]),
        (
            "/v1/checkpoint",
            "get",
            "/v1/checkpoint?size=0".into(),
            vec![],
        ),
        (
            "/v1/checkpoint",
            "get",
            "/v1/checkpoint?size=99".into(),
            vec![],
        ),
        (
            "/v1/checkpoint",
            "get",
            "/v1/checkpoint?size=x".into(),
            vec![],
        ),
        (
            "/v1/proof/inclusion",
            "get",
            "/v1/proof/inclusion?index=0".into(),
            vec![],
        ),
        (
            "/v1/proof/inclusion",
            "get",
            "/v1/proof/inclusion?index=0&size=1".into(),
            vec![],
        ),
        (
            "/v1/proof/inclusion",
            "get",
            "/v1/proof/inclusion?index=minus".into(),
            vec![],
        ),
        (
            "/v1/proof/consistency",
            "get",
            "/v1/proof/consistency?old=0&new=1".into(),
            vec![],
        ),
        (
            "/v1/proof/consistency",
            "get",
            "/v1/proof/consistency?old=1".into(),
            vec![],
        ),
        ("/healthz", "get", "/healthz".into(), vec![]),
        ("/metrics", "get", "/metrics".into(), vec![]),
    ];
    let mut covered = std::collections::BTreeSet::new();
    for (template, method, path, body) in calls {
        let (status, reply) = setup.daemon.http(&method.to_uppercase(), &path, &body);
        let operation = &spec["paths"][template][method];
        assert!(
            operation.is_object(),
            "{method} {template} is not in openapi.yaml"
        );
        let response = &operation["responses"][status.to_string()];
        assert!(
            response.is_object(),
            "{method} {path} answered {status}, which openapi.yaml does not list"
        );
        covered.insert(format!("{method} {template}"));
        let response = match response.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                &spec["components"]["responses"][reference.rsplit('/').next().unwrap()]
            }
            None => response,
        };
        let Some(schema) = response["content"]["application/json"]["schema"].as_object() else {
            continue;
        };
        let mut root = serde_json::json!({ "components": spec["components"].clone() });
        for (k, v) in schema {
            root[k] = v.clone();
        }
        let validator = jsonschema::validator_for(&root).unwrap();
        let instance: Value = serde_json::from_slice(&reply).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{method} {path} ({status}): {errors:?}");
    }
    // Every operation in the description was called.
    for (template, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            assert!(
                covered.contains(&format!("{method} {template}")),
                "{method} {template} was not exercised"
            );
        }
    }
}

/// A `POST /v1/import` body of these envelope files.
fn import_body(files: &[&Path], dry_run: bool) -> Vec<u8> {
    use base64::Engine as _;
    let entries: Vec<String> = files
        .iter()
        .map(|f| base64::engine::general_purpose::STANDARD.encode(std::fs::read(f).unwrap()))
        .collect();
    serde_json::json!({ "entries": entries, "dryRun": dry_run })
        .to_string()
        .into_bytes()
}

/// The description, the daemon's router and the CLI's client share one list of paths
/// (`vouch_proto::api::paths`) and one list of error codes (`ErrorCode`): the description has
/// exactly those paths and names every code.
#[test]
fn the_openapi_description_has_the_shared_paths_and_error_codes() {
    use vouch_proto::api::{paths, ErrorCode};
    let spec_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/openapi.yaml");
    let spec: Value = serde_norway::from_str(&std::fs::read_to_string(spec_path).unwrap()).unwrap();
    let described: std::collections::BTreeSet<&str> = spec["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let shared: std::collections::BTreeSet<&str> = paths::ALL.into_iter().collect();
    assert_eq!(described, shared);
    let codes = spec["components"]["schemas"]["Error"]["properties"]["error"]["description"]
        .as_str()
        .unwrap();
    for code in ErrorCode::ALL {
        assert!(
            codes.contains(code.as_str()),
            "openapi.yaml does not name {code}"
        );
    }
}

/// The reason codes the description lists are exactly `ReasonCode`'s.
#[test]
fn the_openapi_description_lists_every_reason_code() {
    use vouch_proto::api::ReasonCode;
    let spec_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/openapi.yaml");
    let spec: Value = serde_norway::from_str(&std::fs::read_to_string(spec_path).unwrap()).unwrap();
    let listed: Vec<ReasonCode> = spec["components"]["schemas"]["Reason"]["properties"]["code"]
        ["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| serde_json::from_value(v.clone()).unwrap())
        .collect();
    for code in ReasonCode::ALL {
        assert!(listed.contains(&code), "{code:?} is not in openapi.yaml");
    }
    assert_eq!(listed.len(), ReasonCode::ALL.len());
}

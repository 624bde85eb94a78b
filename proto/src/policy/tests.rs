//! Reading and checking policies.

use super::*;
use crate::key::SecretKey;

fn key(seed: u8) -> PublicKey {
    SecretKey::from_seed(&[seed; 32]).public().clone()
}

fn keys(path: &str) -> Result<String, String> {
    match path {
        "keys/alice.pub" => Ok(key(1).to_pem()),
        "keys/sec.pub" => Ok(key(2).to_pem()),
        "keys/admin.pub" => Ok(key(3).to_pem()),
        other => Err(format!("{other}: no such file")),
    }
}

const EXAMPLE: &str = r#"version = 1

[reviewers.alice]
key = "keys/alice.pub"
scopes = ["ghcr.io/acme/*"]

[reviewers.sec]
key = "keys/sec.pub"

[admins.root]
key = "keys/admin.pub"

[[rules]]
scope = "ghcr.io/acme/*"
threshold = 2
required = ["sec"]
max_age = "90d"
require_reviewed = ["download", "entrypoint"]
require_source = true
base_images = "trusted"
mode = "enforce"

[[rules]]
scope = "*"
threshold = 1

[[roots]]
image = "docker.io/library/debian@sha256:0000000000000000000000000000000000000000000000000000000000000000"
note = "Debian's official image"
"#;

#[test]
fn the_documented_example_reads() {
    let policy = Policy::from_toml(EXAMPLE, &keys).unwrap();
    assert_eq!(policy.reviewers["alice"].key_id, key(1).id());
    assert!(policy.is_admin(&key(3).id()));
    let acme = policy.rule_for(Some("ghcr.io/acme/app")).unwrap();
    assert_eq!((acme.threshold, acme.max_age_secs), (2, Some(90 * 86_400)));
    assert_eq!(acme.base_images, BaseImages::Trusted);
    assert_eq!(
        policy
            .rule_for(Some("docker.io/library/ubuntu"))
            .unwrap()
            .scope,
        "*"
    );
    assert_eq!(policy.rule_for(None).unwrap().scope, "*");
    assert!(policy.reviewers["alice"].may_vouch_for("ghcr.io/acme/x"));
    assert!(!policy.reviewers["alice"].may_vouch_for("docker.io/library/x"));
    // The canonical bytes read back to the same policy.
    assert_eq!(
        Policy::from_canonical(&policy.canonical_bytes()).unwrap(),
        policy
    );
}

fn error(text: &str) -> PolicyError {
    Policy::from_toml(text, &keys).unwrap_err()
}

#[test]
fn a_policy_that_cannot_be_met_is_refused_with_its_line() {
    let unknown = error("version = 1\n[reviewers.a]\nkey = \"keys/alice.pub\"\ncolour = \"red\"\n");
    assert_eq!(unknown.line, 4, "{unknown}");
    assert!(unknown.message.contains("colour"), "{unknown}");
    let missing = error("version = 1\n[reviewers.a]\nkey = \"keys/none.pub\"\n");
    assert!(
        missing.message.contains("no such file") && missing.line == 2,
        "{missing}"
    );
    let too_many = error("version = 1\n[reviewers.a]\nkey = \"keys/alice.pub\"\n\n[[rules]]\nscope = \"*\"\nthreshold = 2\n");
    assert_eq!(too_many.line, 5, "{too_many}");
    assert!(too_many.message.contains("only 1 reviewer"), "{too_many}");
    let nobody = error("version = 1\n[reviewers.a]\nkey = \"keys/alice.pub\"\n[[rules]]\nscope = \"*\"\nrequired = [\"bob\"]\n");
    assert!(
        nobody.message.contains("\"bob\", which is not a reviewer"),
        "{nobody}"
    );
    let scoped = error("version = 1\n[reviewers.a]\nkey = \"keys/alice.pub\"\nscopes = [\"ghcr.io/acme/*\"]\n[[rules]]\nscope = \"docker.io/*\"\n");
    assert!(scoped.message.contains("only 0 reviewer"), "{scoped}");
    assert!(error("version = 2\n").message.contains("version 2"));
    assert!(
        error("version = 1\n[[rules]]\nscope = \"*\"\nmax_age = \"90 days\"\n")
            .message
            .contains("unit")
    );
    assert!(error("version = 1\n[reviewers.a]\nkey = \"keys/alice.pub\"\n[[rules]]\nscope = \"*\"\nrequire_reviewed = [\"dowload\"]\n").message.contains("dowload"));
    assert!(error("version = 1\n[reviewers.a]\nkey = \"keys/alice.pub\"\n[[rules]]\nscope = \"*\"\nthreshold = 0\n").message.contains("threshold 0"));
    // A duplicated table is a TOML error with its line.
    assert!(error("version = 1\n[reviewers.a]\nkey = \"keys/alice.pub\"\n[reviewers.a]\nkey = \"keys/sec.pub\"\n").line >= 4);
}

#[test]
fn canonical_policies_are_read_strictly() {
    let policy = Policy::of_keys(&[key(1)]);
    let mut text = String::from_utf8(policy.canonical_bytes()).unwrap();
    assert!(Policy::from_canonical(text.as_bytes()).is_ok());
    text = text.replacen("\"version\":1", "\"version\":1,\"version\":1", 1);
    assert!(Policy::from_canonical(text.as_bytes()).is_err());
    // A key id that does not match its key is refused.
    let swapped = String::from_utf8(policy.canonical_bytes())
        .unwrap()
        .replace(&key(1).id().to_string(), &key(2).id().to_string());
    assert!(Policy::from_canonical(swapped.as_bytes()).is_err());
}

#[test]
fn globs_and_durations() {
    assert!(glob_match("*", "anything/at/all"));
    assert!(glob_match("ghcr.io/acme/*", "ghcr.io/acme/app"));
    assert!(!glob_match("ghcr.io/acme/*", "ghcr.io/acmeevil/app"));
    assert!(glob_match("*/library/*", "docker.io/library/ubuntu"));
    assert!(!glob_match("a*b*c", "acb"));
    assert_eq!(duration("2w"), Ok(1_209_600));
    assert!(duration("d").is_err() && duration("5y").is_err());
}

#[test]
fn scopes_that_could_never_match_a_normalised_name_are_refused_with_the_name_to_write() {
    let policy = |scope: &str, reviewer_scope: &str, root: &str| {
        format!(
            "version = 1\n\n[reviewers.alice]\nkey = \"keys/alice.pub\"\nscopes = [{reviewer_scope:?}]\n\n[[rules]]\nscope = {scope:?}\nthreshold = 1\n\n[[rules]]\nscope = \"*\"\nthreshold = 1\n\n[[roots]]\nimage = {root:?}\n"
        )
    };
    let ok = [
        ("docker.io/library/ubuntu", "*", "docker.io/library/debian"),
        ("ghcr.io/acme/*", "ghcr.io/*", "127.0.0.1:5000/base/*"),
        ("docker.io/*", "docker.io/library/*", "*/ubuntu"),
    ];
    for (scope, reviewer, root) in ok {
        Policy::from_toml(&policy(scope, reviewer, root), &keys)
            .unwrap_or_else(|e| panic!("{scope} {reviewer} {root}: {e}"));
    }
    let refused = [
        (
            "docker.io/ubuntu",
            "*",
            "docker.io/library/debian",
            "docker.io/library/ubuntu",
        ),
        (
            "index.docker.io/library/ubuntu",
            "*",
            "localhost/os",
            "docker.io/library/ubuntu",
        ),
        ("ubuntu", "*", "localhost/os", "docker.io/library/ubuntu"),
        (
            "ghcr.io/acme/*",
            "acme/*",
            "localhost/os",
            "names no registry",
        ),
        (
            "ghcr.io/acme/*",
            "*",
            "index.docker.io/*",
            "not index.docker.io",
        ),
        ("ghcr.io/acme/*", "*", "debian", "docker.io/library/debian"),
    ];
    for (scope, reviewer, root, said) in refused {
        let err = Policy::from_toml(&policy(scope, reviewer, root), &keys).unwrap_err();
        assert!(
            err.message.contains(said),
            "{scope} {reviewer} {root}: {err}"
        );
        assert!(err.line > 0, "{err}");
    }
    // A policy recorded earlier with such a scope still reads back (an old ledger audits).
    let mut recorded =
        Policy::from_toml(&policy("docker.io/library/x", "*", "localhost/os"), &keys).unwrap();
    recorded.rules[0].scope = "docker.io/x".into();
    assert!(Policy::from_canonical(&recorded.canonical_bytes()).is_ok());
}

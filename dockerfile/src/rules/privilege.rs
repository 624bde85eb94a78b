//! Privilege changes in RUN (rules VR504-VR509), one function a rule.

use vouch_proto::findings::Severity;

use super::{option_value, writes_to, At, Raw, RunFacts};
use crate::rule::{self, Rule};

const GROUPS: &str = "Members of these groups can become root. Does the container need that?";
const SUDOERS: &str =
    "Who gets root through sudo, and without a password? A container rarely needs it.";
const ACCOUNTS: &str = "Direct edits of the account files can add users or empty passwords: read exactly what is written.";
const PASSWORD: &str = "A password baked into the image is known to everyone who has the image.";
const SETUID: &str = "A setuid binary runs with its owner's rights for any user. Is it needed, and is the binary trustworthy?";
const CAPABILITIES: &str =
    "File capabilities grant root powers to a binary. Which capability, and why?";

/// VR504-VR509: group memberships, sudoers, account files, passwords, setuid, capabilities.
/// (`chmod +x` targets are recorded as created paths, for the entrypoint check.)
pub(super) fn check(at: &At<'_>, facts: &mut RunFacts) {
    let found = [
        groups(at),
        sudoers(at),
        accounts(at),
        password(at),
        setuid(at),
        capabilities(at),
    ];
    facts.findings.extend(found.into_iter().flatten());
    if at.program == "chmod" {
        facts.created.extend(executables(at.words));
    }
}

fn high(rule: &'static Rule, about: String, summary: String, check: &str) -> Raw {
    Raw {
        rule,
        about,
        summary,
        severity: Severity::High,
        check: check.into(),
    }
}

/// VR504: a user added to a group that can become root.
fn groups(at: &At<'_>) -> Option<Raw> {
    let At { words, program, .. } = *at;
    if !matches!(
        program,
        "useradd" | "adduser" | "usermod" | "gpasswd" | "addgroup"
    ) {
        return None;
    }
    let groups = option_value(words, &["-G", "--groups", "-aG", "--append"]).unwrap_or("");
    let power: Vec<&str> = groups
        .split(',')
        .filter(|g| matches!(*g, "sudo" | "wheel" | "admin" | "root" | "docker"))
        .collect();
    let positional_power = (program == "adduser" || program == "gpasswd")
        && words
            .iter()
            .skip(1)
            .any(|w| matches!(w.as_str(), "sudo" | "wheel" | "admin" | "root"));
    if power.is_empty() && !positional_power {
        return None;
    }
    let user = words
        .iter()
        .skip(1)
        .rfind(|w| !w.starts_with('-'))
        .map(String::as_str)
        .unwrap_or("?");
    let which = if power.is_empty() {
        "a privileged group".to_string()
    } else {
        power.join(", ")
    };
    Some(high(
        &rule::PRIVILEGED_GROUP,
        format!("{user} {}", power.join(",")),
        format!("{program} gives {user} membership of {which}"),
        GROUPS,
    ))
}

/// VR505: sudoers edited (NOPASSWD is part of what it is about).
fn sudoers(at: &At<'_>) -> Option<Raw> {
    let target = writes_to(at, &["/etc/sudoers"])?;
    let nopasswd = at.all_words.iter().any(|w| w.contains("NOPASSWD"));
    let with = if nopasswd { " with NOPASSWD" } else { "" };
    Some(high(
        &rule::SUDOERS,
        format!("{target} nopasswd={nopasswd}"),
        format!("edits {target}{with}"),
        SUDOERS,
    ))
}

/// VR506: account files written directly.
fn accounts(at: &At<'_>) -> Option<Raw> {
    let target = writes_to(at, &["/etc/passwd", "/etc/shadow", "/etc/group"])?;
    Some(high(
        &rule::ACCOUNT_FILES,
        target.clone(),
        format!("writes {target} directly"),
        ACCOUNTS,
    ))
}

/// VR507: a password set in the image.
fn password(at: &At<'_>) -> Option<Raw> {
    let program = at.program;
    matches!(program, "chpasswd" | "passwd").then(|| {
        high(
            &rule::PASSWORD,
            program.to_string(),
            format!("{program} sets a password"),
            PASSWORD,
        )
    })
}

/// VR508: chmod setting setuid or setgid.
fn setuid(at: &At<'_>) -> Option<Raw> {
    let words = at.words;
    if at.program != "chmod" {
        return None;
    }
    let mode = words
        .iter()
        .skip(1)
        .find(|w| !w.starts_with('-') || w.contains('s'))?;
    let symbolic = mode.contains("+s") || mode.contains("u+s") || mode.contains("g+s");
    let numeric = mode.len() == 4
        && mode.chars().all(|c| c.is_ascii_digit())
        && matches!(mode.as_bytes()[0], b'2' | b'4' | b'6');
    if !symbolic && !numeric {
        return None;
    }
    let targets = words
        .iter()
        .skip(2)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    Some(high(
        &rule::SETUID,
        targets.clone(),
        format!("chmod {mode} sets setuid/setgid on {targets}"),
        SETUID,
    ))
}

/// VR509: file capabilities set.
fn capabilities(at: &At<'_>) -> Option<Raw> {
    (at.program == "setcap").then(|| {
        let args = at.words[1..].join(" ");
        high(
            &rule::CAPABILITIES,
            args.clone(),
            format!("setcap {args}"),
            CAPABILITIES,
        )
    })
}

/// The absolute paths a `chmod` makes executable (`+x`, or a mode ending in 5 or 7).
fn executables(words: &[String]) -> Vec<String> {
    let executable = words.iter().any(|w| {
        w.contains("+x")
            || w.chars().all(|c| c.is_ascii_digit())
                && w.len() == 3
                && (w.ends_with('5') || w.ends_with('7'))
    });
    if !executable {
        return Vec::new();
    }
    words
        .iter()
        .skip(2)
        .filter(|w| w.starts_with('/'))
        .cloned()
        .collect()
}

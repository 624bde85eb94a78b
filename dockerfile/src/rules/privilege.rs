//! Privilege changes in RUN (rules VR504-VR509).

use vouch_proto::findings::Severity;

use super::{option_value, writes_to, At, Raw, RunFacts};
use crate::rule::{self, Rule};

/// VR504-VR509: group memberships, sudoers, account files, passwords, setuid, capabilities.
pub(super) fn check(at: &At<'_>, facts: &mut RunFacts) {
    let At {
        words,
        program,
        all_words,
        ..
    } = *at;
    let mut privilege = |rule: &'static Rule, about: String, summary: String, check: &str| {
        facts.findings.push(Raw {
            rule,
            about,
            summary,
            severity: Severity::High,
            check: check.into(),
        })
    };
    if matches!(
        program,
        "useradd" | "adduser" | "usermod" | "gpasswd" | "addgroup"
    ) {
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
        if !power.is_empty() || positional_power {
            let user = words
                .iter()
                .skip(1)
                .rfind(|w| !w.starts_with('-'))
                .map(String::as_str)
                .unwrap_or("?");
            privilege(
                &rule::PRIVILEGED_GROUP,
                format!("{user} {}", power.join(",")),
                format!(
                    "{program} gives {user} membership of {}",
                    if power.is_empty() {
                        "a privileged group".to_string()
                    } else {
                        power.join(", ")
                    }
                ),
                "Members of these groups can become root. Does the container need that?",
            );
        }
    }
    if let Some(target) = writes_to(at, &["/etc/sudoers"]) {
        let nopasswd = all_words.iter().any(|w| w.contains("NOPASSWD"));
        privilege(
            &rule::SUDOERS,
            format!("{target} nopasswd={nopasswd}"),
            format!(
                "edits {target}{}",
                if nopasswd { " with NOPASSWD" } else { "" }
            ),
            "Who gets root through sudo, and without a password? A container rarely needs it.",
        );
    }
    if let Some(target) = writes_to(at, &["/etc/passwd", "/etc/shadow", "/etc/group"]) {
        privilege(&rule::ACCOUNT_FILES, target.clone(), format!("writes {target} directly"), "Direct edits of the account files can add users or empty passwords: read exactly what is written.");
    }
    if matches!(program, "chpasswd" | "passwd") {
        privilege(
            &rule::PASSWORD,
            program.to_string(),
            format!("{program} sets a password"),
            "A password baked into the image is known to everyone who has the image.",
        );
    }
    if program == "chmod" {
        let mode = words
            .iter()
            .skip(1)
            .find(|w| !w.starts_with('-') || w.contains('s'));
        if let Some(mode) = mode {
            let symbolic = mode.contains("+s") || mode.contains("u+s") || mode.contains("g+s");
            let numeric = mode.len() == 4
                && mode.chars().all(|c| c.is_ascii_digit())
                && matches!(mode.as_bytes()[0], b'2' | b'4' | b'6');
            if symbolic || numeric {
                let targets: Vec<&str> = words.iter().skip(2).map(String::as_str).collect();
                privilege(&rule::SETUID, targets.join(" "), format!("chmod {mode} sets setuid/setgid on {}", targets.join(" ")), "A setuid binary runs with its owner's rights for any user. Is it needed, and is the binary trustworthy?");
            }
        }
        if words.iter().any(|w| {
            w.contains("+x")
                || w.chars().all(|c| c.is_ascii_digit())
                    && w.len() == 3
                    && (w.ends_with('5') || w.ends_with('7'))
        }) {
            facts
                .created
                .extend(words.iter().skip(2).filter(|w| w.starts_with('/')).cloned());
        }
    }
    if program == "setcap" {
        privilege(
            &rule::CAPABILITIES,
            words[1..].join(" "),
            format!("setcap {}", words[1..].join(" ")),
            "File capabilities grant root powers to a binary. Which capability, and why?",
        );
    }
}

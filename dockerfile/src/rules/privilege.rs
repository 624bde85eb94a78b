//! Privilege changes in RUN (rules VR504-VR509), one function a rule.

use vouch_proto::findings::Severity;

use super::{option_value, At, Raw, RunFacts};
use crate::rule::{self, Rule};

const GROUPS: &str = "Members of these groups can become root. Does the container need that?";
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
        root_account(at),
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

/// Groups whose members can become root.
const POWER_GROUPS: [&str; 8] = [
    "sudo", "wheel", "admin", "root", "docker", "disk", "shadow", "lxd",
];

/// VR504: a user added to a group that can become root.
fn groups(at: &At<'_>) -> Option<Raw> {
    let At { words, program, .. } = *at;
    if !matches!(
        program,
        "useradd" | "adduser" | "usermod" | "gpasswd" | "addgroup"
    ) {
        return None;
    }
    let mut power: Vec<&str> = Vec::new();
    for name in ["-G", "--groups", "-aG", "--append", "-g", "--gid"] {
        if let Some(groups) = option_value(words, &[name]) {
            power.extend(groups.split(',').filter(|g| POWER_GROUPS.contains(g)));
        }
    }
    power.dedup();
    let positional_power = matches!(program, "adduser" | "gpasswd" | "addgroup")
        && words
            .iter()
            .skip(2)
            .any(|w| POWER_GROUPS.contains(&w.as_str()));
    if power.is_empty() && !positional_power {
        return None;
    }
    let mut names = words.iter().skip(1).filter(|w| !w.starts_with('-'));
    let user = if positional_power && power.is_empty() {
        names
            .find(|w| !matches!(w.as_str(), "-a"))
            .map(String::as_str)
    } else {
        words
            .iter()
            .skip(1)
            .rfind(|w| !w.starts_with('-'))
            .map(String::as_str)
    }
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

/// VR506: an account given user id 0 (a second root), by useradd, adduser or usermod.
fn root_account(at: &At<'_>) -> Option<Raw> {
    let At { words, program, .. } = *at;
    if !matches!(program, "useradd" | "adduser" | "usermod") {
        return None;
    }
    let uid = option_value(words, &["-u", "--uid"])?;
    if uid.parse::<u64>().ok()? != 0 {
        return None;
    }
    let user = words
        .iter()
        .skip(1)
        .rfind(|w| !w.starts_with('-'))
        .map(String::as_str)
        .unwrap_or("?");
    Some(high(
        &rule::ACCOUNT_FILES,
        format!("uid0 {user}"),
        format!("{program} gives {user} user id 0: a second root account"),
        ACCOUNTS,
    ))
}

/// VR507: a password set in the image.
fn password(at: &At<'_>) -> Option<Raw> {
    let program = at.program;
    let sets = matches!(program, "chpasswd" | "passwd")
        || (matches!(program, "usermod" | "useradd")
            && option_value(at.words, &["-p", "--password"]).is_some());
    sets.then(|| {
        high(
            &rule::PASSWORD,
            program.to_string(),
            format!("{program} sets a password"),
            PASSWORD,
        )
    })
}

/// VR508: setuid or setgid set, by `chmod` (octal with any number of leading zeros, or
/// symbolic `u+s`, `u=rwxs`, `+s`, ...) or `install -m`.
fn setuid(at: &At<'_>) -> Option<Raw> {
    let words = at.words;
    let (mode, targets) = match at.program {
        "chmod" => {
            let args: Vec<&String> = words[1..]
                .iter()
                .filter(|w| {
                    !matches!(
                        w.as_str(),
                        "-R" | "-v" | "-f" | "-c" | "--recursive" | "--verbose"
                    )
                })
                .collect();
            let (mode, rest) = args.split_first()?;
            (
                mode.to_string(),
                rest.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        }
        "install" | "mkdir" => {
            let mode = option_value(words, &["-m", "--mode"])?.to_string();
            let targets = words.last().cloned().unwrap_or_default();
            (mode, targets)
        }
        _ => return None,
    };
    if !sets_id_bits(&mode) {
        return None;
    }
    Some(high(
        &rule::SETUID,
        targets.clone(),
        format!("{} {mode} sets setuid/setgid on {targets}", at.program),
        SETUID,
    ))
}

/// Whether a file mode (octal or symbolic) sets setuid or setgid.
pub(crate) fn sets_id_bits(mode: &str) -> bool {
    if !mode.is_empty() && mode.chars().all(|c| c.is_digit(8)) {
        return u32::from_str_radix(mode, 8).is_ok_and(|m| m & 0o6000 != 0);
    }
    mode.split(',').any(|clause| {
        clause.split_once(['+', '=']).is_some_and(|(who, perms)| {
            who.chars().all(|c| "ugoa".contains(c)) && perms.contains('s')
        })
    })
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

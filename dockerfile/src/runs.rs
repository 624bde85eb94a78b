//! The final stage: what the container runs (rule VR401) and as whom (VR501-VR503).

use vouch_proto::findings::Severity;

use crate::analyze::{Exec, Stage};
use crate::ids::Findings;
use crate::rule;
use crate::rules::Raw;

const RUNS: &str = "This is what the container does. Read the program or script it runs and the arguments it gets; a script copied or downloaded in must be reviewed like code.";
const NAMED: &str = "Check that this user exists in the image and is not given root through sudo or setuid binaries.";
const ROOT: &str = "A process running as root in the container is one kernel bug away from root on the host. Can it run as an unprivileged user?";

/// The findings about the final stage: its ENTRYPOINT and CMD, and its USER.
pub(crate) fn check(stage: &Stage, out: &mut Findings) {
    if let Some(entrypoint) = &stage.entrypoint {
        runs(stage, entrypoint, "ENTRYPOINT", out);
    }
    if let Some(cmd) = &stage.cmd {
        let what = if stage.entrypoint.as_ref().is_some_and(|e| e.exec_form) {
            "CMD (arguments to the ENTRYPOINT)"
        } else {
            "CMD"
        };
        runs(stage, cmd, what, out);
    }
    user(stage, out);
}

/// The program an ENTRYPOINT or CMD runs (what `sh -c` runs, for a shell wrapper).
fn program(words: &[String]) -> String {
    let program = match words.first().map(String::as_str) {
        Some("sh" | "/bin/sh" | "bash" | "/bin/bash")
            if words.get(1).map(String::as_str) == Some("-c") =>
        {
            words.get(2).cloned().unwrap_or_default()
        }
        Some(first) => first.to_string(),
        None => String::new(),
    };
    program.split_whitespace().next().unwrap_or("").to_string()
}

/// VR401: what `exec` runs, and whether the Dockerfile creates it (and how).
fn runs(stage: &Stage, exec: &Exec, what: &str, out: &mut Findings) {
    let program = program(&exec.words);
    let form = if exec.exec_form {
        "exec form"
    } else {
        "shell form (runs under /bin/sh -c)"
    };
    let created = stage
        .created
        .iter()
        .rev()
        .find(|(path, _, _)| *path == program || path.trim_end_matches('/') == program);
    let basename = program.rsplit('/').next().unwrap_or("");
    let elsewhere = stage
        .downloads
        .iter()
        .filter_map(|(d, l)| d.dest.as_ref().map(|dest| (dest, l)))
        .chain(stage.created.iter().map(|(p, l, _)| (p, l)))
        .find(|(dest, _)| {
            dest.rsplit('/').next() == Some(basename) && **dest != program && !basename.is_empty()
        });
    let script = program.ends_with(".sh") || program.ends_with(".py");
    let (summary, severity) = match (created, elsewhere) {
        (Some((_, at, by)), _) => (
            format!("{what} runs {program} ({form}), written by the {by} at line {at}"),
            if script || *by != "RUN" {
                Severity::Medium
            } else {
                Severity::Low
            },
        ),
        (None, Some((dest, at))) if program.starts_with('/') => (
            format!("{what} runs {program} ({form}), but no instruction creates that path: line {at} wrote {dest}"),
            Severity::High,
        ),
        _ if program.is_empty() => (format!("{what} is empty ({form})"), Severity::Low),
        _ if program.starts_with('/') => (
            format!("{what} runs {program} ({form}), which comes from the base image"),
            Severity::Low,
        ),
        _ => (
            format!("{what} runs {program} ({form}), found through PATH in the image"),
            Severity::Low,
        ),
    };
    let instruction = if what.starts_with("CMD") {
        "CMD"
    } else {
        "ENTRYPOINT"
    };
    let raw = Raw {
        rule: &rule::RUNS,
        about: format!("{instruction} {program}"),
        summary,
        severity,
        check: RUNS.into(),
    };
    out.push(raw, exec.line, &exec.source);
}

/// VR501-VR503: the user the container runs as (`root`, `0`, `0000` and `0:0` are root).
fn user(stage: &Stage, out: &mut Findings) {
    let Some(user) = &stage.user else {
        let raw = Raw {
            rule: &rule::USER_MISSING,
            about: String::new(),
            summary: "no USER in the final stage: the container runs as the base image's user, usually root".into(),
            severity: Severity::Medium,
            check: ROOT.into(),
        };
        out.push(raw, 0, "");
        return;
    };
    let name = user.name.text.clone();
    let who = name.split(':').next().unwrap_or("");
    let root = who == "root"
        || who.is_empty()
        || (who.chars().all(|c| c.is_ascii_digit()) && who.parse::<u64>().ok() == Some(0));
    let raw = if root {
        Raw {
            rule: &rule::USER_ROOT,
            about: name.clone(),
            summary: format!("the container runs as root (USER {name})"),
            severity: Severity::Medium,
            check: ROOT.into(),
        }
    } else {
        Raw {
            rule: &rule::USER_NAMED,
            about: name.clone(),
            summary: format!("the container runs as USER {name}"),
            severity: Severity::Info,
            check: NAMED.into(),
        }
    };
    out.push(raw, user.line, &user.source);
    for raw in crate::rules::code_unfixed(&user.name.unresolved, "the USER") {
        out.push(raw, user.line, &user.source);
    }
}

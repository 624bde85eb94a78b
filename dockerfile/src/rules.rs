//! What shell code does that a reviewer must look at: package installs and the sources and
//! settings they trust, downloads (and whether a check that can fail the build verifies each
//! one), code run from strings and pipes, and privilege changes. Works on the commands of
//! [`crate::script::read`].

use vouch_proto::findings::Severity;

use crate::rule::Rule;
use crate::script::{Cmd, Script};

mod checks;
mod code;
mod config;
mod downloads;
mod installs;
mod privilege;
mod targets;

pub(crate) use code::{inline_code, unfixed_findings as code_unfixed};
pub(crate) use config::{redact, url_credential, variable as config_variable};
pub(crate) use downloads::url_like;
pub(crate) use privilege::sets_id_bits;
pub(crate) use targets::{finding as destination_finding, into as targets_into};

/// VR511: `LD_PRELOAD` set for every program.
pub(crate) fn loader_env(value: &str) -> Raw {
    Raw {
        rule: &crate::rule::LOADER,
        about: format!("LD_PRELOAD={value}"),
        summary: format!("ENV LD_PRELOAD={value}: every program loads this library first"),
        severity: Severity::High,
        check: crate::rule::LOADER.help.into(),
    }
}

/// A finding before it gets its line, instruction and id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Raw {
    /// The rule that found it (its code starts the finding's id).
    pub rule: &'static Rule,
    /// What it is about (an image, a URL, a path, a package set): with the rule's code, the
    /// finding's id. Never its wording, which may change.
    pub about: String,
    /// What was found.
    pub summary: String,
    /// How much it matters.
    pub severity: Severity,
    /// What to check.
    pub check: String,
}

/// A download seen in a RUN or ADD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Download {
    /// The URL.
    pub url: String,
    /// Where it was written, when known.
    pub dest: Option<String>,
    /// The position of its finding in [`RunFacts::findings`].
    pub finding: usize,
}

/// What a script does.
#[derive(Default, Debug)]
pub struct RunFacts {
    /// Findings.
    pub findings: Vec<Raw>,
    /// Paths it creates or makes executable.
    pub created: Vec<String>,
    /// Its downloads.
    pub downloads: Vec<Download>,
}

/// When the code runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum When {
    /// While the image is built (RUN).
    Build,
    /// While the container runs (ENTRYPOINT, CMD, HEALTHCHECK).
    Runtime,
}

pub(crate) use crate::script::nested::base;

/// The program's name as the family checks see it: the basename, without `.exe`, lower case
/// for Windows names.
pub(crate) fn program_name(word: &str) -> String {
    let name = base(word);
    match name
        .strip_suffix(".exe")
        .or_else(|| name.strip_suffix(".EXE"))
    {
        Some(stem) => stem.to_ascii_lowercase(),
        None => name.to_string(),
    }
}

pub(crate) fn option_value<'w>(words: &'w [String], names: &[&str]) -> Option<&'w str> {
    for (i, word) in words.iter().enumerate() {
        for name in names {
            if word == name {
                return words.get(i + 1).map(String::as_str);
            }
            if let Some(value) = word.strip_prefix(&format!("{name}=")) {
                return Some(value);
            }
            // Short options glued to their value: `-ofile`.
            if name.len() == 2
                && !name.starts_with("--")
                && word.starts_with(name)
                && word.len() > 2
                && !word.starts_with("--")
            {
                return Some(&word[2..]);
            }
        }
    }
    None
}

/// One command of a script, with what every check needs to see around it.
#[derive(Clone, Copy)]
pub(crate) struct At<'a> {
    /// The whole script.
    pub script: &'a Script,
    /// This command's position in it.
    pub index: usize,
    /// This command.
    pub cmd: &'a Cmd,
    /// Its words as text.
    pub words: &'a [String],
    /// The program it runs ([`program_name`]).
    pub program: &'a str,
    /// When it runs.
    pub when: When,
}

/// Analyses a script: each check family looks at each command in turn, in the order their
/// findings are listed; then what could not be read.
pub(crate) fn run(script: &Script, when: When) -> RunFacts {
    let mut facts = RunFacts::default();
    let verified = checks::checks(script);
    let texts: Vec<Vec<String>> = script.cmds.iter().map(Cmd::texts).collect();
    for (index, cmd) in script.cmds.iter().enumerate() {
        let program = program_name(cmd.program());
        let at = At {
            script,
            index,
            cmd,
            words: &texts[index],
            program: &program,
            when,
        };
        installs::packages(&at, &mut facts);
        installs::sources(&at, &mut facts);
        config::check(&at, &mut facts);
        downloads::check(&at, &verified, &mut facts);
        code::check(&at, &mut facts);
        privilege::check(&at, &mut facts);
        created_paths(&at, &mut facts);
    }
    code::unreadable(script, &mut facts);
    facts
}

/// Paths created by moves, copies, links and redirections, for the entrypoint check.
fn created_paths(at: &At<'_>, facts: &mut RunFacts) {
    if matches!(at.program, "mv" | "cp" | "ln" | "install" | "touch" | "tee") {
        if let Some(last) = at.words.iter().skip(1).rfind(|w| !w.starts_with('-')) {
            facts.created.push(last.clone());
        }
    }
    facts
        .created
        .extend(at.cmd.writes.iter().filter(|w| w.starts_with('/')).cloned());
}

#[cfg(test)]
mod tests;

//! Verification tied to the file it verifies: a checksum or signature check counts for a
//! download only when it checks that file, against a value the Dockerfile states (not one the
//! build fetched or computed from the download itself), and its failure fails the build (not
//! behind `|| true`, not followed by other commands without `set -e`, not inside `$(...)`).

use vouch_proto::findings::Severity;

use crate::script::{Cmd, Script, Value};

use super::downloads::url_basename;
use super::{code, program_name, At};

/// One check of one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Check {
    /// The command that checks.
    pub(crate) index: usize,
    /// The file it checks.
    pub(crate) file: String,
    /// How, in words.
    pub(crate) how: String,
    /// Whether a mismatch fails the build.
    pub(crate) fatal: bool,
    /// Whether the expected value is stated in the Dockerfile.
    pub(crate) stated: bool,
    /// The signature or digest list file the check reads, if it reads one.
    pub(crate) material: Option<String>,
}

const SUMS: [&str; 9] = [
    "sha1sum",
    "sha224sum",
    "sha256sum",
    "sha384sum",
    "sha512sum",
    "md5sum",
    "b2sum",
    "shasum",
    "cksum",
];

/// Every check in the script.
pub(crate) fn checks(script: &Script) -> Vec<Check> {
    let mut found = Vec::new();
    for (index, cmd) in script.cmds.iter().enumerate() {
        let program = program_name(cmd.program());
        let words = cmd.texts();
        let material = match program.as_str() {
            "gpg" | "gpg2" | "gpgv" | "gpgv2" => signature_file(&words),
            _ => None,
        };
        let mut add = |file: String, how: String, stated: bool| {
            found.push(Check {
                index,
                file,
                how,
                fatal: cmd.fatal,
                stated,
                material: material.clone(),
            })
        };
        match program.as_str() {
            p if SUMS.contains(&p) && words.iter().any(|w| is_check_flag(w)) => {
                let (lines, stated, how) = checksum_lines(script, cmd, &words, p);
                for file in lines {
                    add(file, how.clone(), stated);
                }
            }
            "grep" | "[" | "test" => {
                if let Some((file, how)) = compared_digest(script, cmd, &words, &program) {
                    add(file, how, true);
                }
            }
            "gpg" | "gpg2" | "gpgv" | "gpgv2" => {
                if let Some(file) = signed_file(&words, &program) {
                    add(file, format!("signature checked by {program}"), true);
                }
            }
            "cosign" if words.get(1).is_some_and(|w| w == "verify-blob") => {
                if let Some(file) = words.iter().skip(2).rfind(|w| !w.starts_with('-')) {
                    add(file.clone(), "signature checked by cosign".into(), true);
                }
            }
            "minisign" if words.iter().any(|w| w.starts_with("-V")) => {
                if let Some(file) = super::option_value(&words, &["-m"]) {
                    add(
                        file.to_string(),
                        "signature checked by minisign".into(),
                        true,
                    );
                }
            }
            _ => {}
        }
    }
    found
}

fn is_check_flag(word: &str) -> bool {
    word == "--check" || (word.starts_with('-') && !word.starts_with("--") && word.contains('c'))
}

/// The files a `sha256sum -c` checks: the lines it reads (a here-document, `echo`/`printf`, or
/// a checksum file the Dockerfile wrote), whether their digests are stated in the Dockerfile,
/// and how.
fn checksum_lines(
    script: &Script,
    cmd: &Cmd,
    words: &[String],
    program: &str,
) -> (Vec<String>, bool, String) {
    let how = format!("checked by {program} -c");
    if let Some(doc) = &cmd.stdin_doc {
        return (
            files_in(&doc.text),
            doc.is_literal() || stated(&doc.text),
            how,
        );
    }
    let list_file = words
        .iter()
        .skip(1)
        .find(|w| !w.starts_with('-') && w.as_str() != "-");
    if let Some(list) = list_file {
        if let Some(content) = script.written.get(list.as_str()) {
            return (files_in(content), true, how);
        }
        // Which files it lists is unknown: it may be any of them.
        return (
            vec!["*".to_string()],
            false,
            format!("{how} against {list}, a list the Dockerfile does not show"),
        );
    }
    match cmd.stdin_from.map(|i| &script.cmds[i]) {
        Some(source) if matches!(program_name(source.program()).as_str(), "echo" | "printf") => {
            let text: Vec<String> = source.words[1..].iter().map(|w| w.text.clone()).collect();
            let text = text.join(" ").replace("\\n", "\n");
            let literal = source.words[1..].iter().all(digest_known);
            (files_in(&text), literal, how)
        }
        _ => (Vec::new(), false, how),
    }
}

/// Whether the digest part of an `echo` word is known (a build argument's default counts).
fn digest_known(word: &Value) -> bool {
    word.from.is_empty() && !word.opaque
}

fn stated(text: &str) -> bool {
    text.split_whitespace().any(is_digest)
}

/// The file names of `HEX  NAME` (or `HEX *NAME`) lines.
fn files_in(text: &str) -> Vec<String> {
    let mut files = Vec::new();
    let words: Vec<&str> = text.split_whitespace().collect();
    for pair in words.windows(2) {
        if is_digest(pair[0]) {
            files.push(pair[1].trim_start_matches('*').to_string());
        }
    }
    files
}

/// A hexadecimal digest of at least 32 digits.
pub(crate) fn is_digest(word: &str) -> bool {
    word.len() >= 32 && word.chars().all(|c| c.is_ascii_hexdigit())
}

/// `sha256sum FILE | grep HEX` and `[ "$(sha256sum FILE | cut ...)" = "HEX" ]`: the file
/// whose digest is compared with one the Dockerfile states.
fn compared_digest(
    script: &Script,
    cmd: &Cmd,
    words: &[String],
    program: &str,
) -> Option<(String, String)> {
    if !words
        .iter()
        .any(|w| is_digest(w.trim_matches(|c: char| !c.is_ascii_hexdigit())) && !w.contains("$("))
    {
        return None;
    }
    let sources: Vec<usize> = match program {
        "grep" => cmd.stdin_from.into_iter().collect(),
        _ => cmd.words.iter().flat_map(|w| w.from.clone()).collect(),
    };
    sources.into_iter().find_map(|i| {
        let source = &script.cmds[i];
        let name = program_name(source.program());
        if !SUMS.contains(&name.as_str()) {
            return None;
        }
        let file = source.words[1..]
            .iter()
            .find(|w| !w.text.starts_with('-'))?;
        Some((file.text.clone(), format!("{name} compared by {program}")))
    })
}

/// The signature a `gpg --verify SIG [FILE]` reads.
fn signature_file(words: &[String]) -> Option<String> {
    let position = words.iter().position(|w| w == "--verify").unwrap_or(0);
    words[position + 1..]
        .iter()
        .find(|w| !w.starts_with('-'))
        .cloned()
}

/// The file a `gpg --verify SIG [FILE]` checks (FILE, or SIG without `.asc`/`.sig`/`.gpg`).
fn signed_file(words: &[String], program: &str) -> Option<String> {
    let verify = program.starts_with("gpgv") || words.iter().any(|w| w == "--verify");
    if !verify {
        return None;
    }
    let position = words.iter().position(|w| w == "--verify").unwrap_or(0);
    let args: Vec<&String> = words[position + 1..]
        .iter()
        .filter(|w| !w.starts_with('-'))
        .collect();
    match args.as_slice() {
        [_, file, ..] => Some(file.to_string()),
        [signature] => Some(
            signature
                .trim_end_matches(".asc")
                .trim_end_matches(".sig")
                .trim_end_matches(".gpg")
                .to_string(),
        ),
        [] => None,
    }
}

/// How much a download matters: run as code, verified by a check that can fail the build,
/// checked in a way that cannot, or not checked at all.
pub(super) fn verification(
    at: &At<'_>,
    dest: Option<&str>,
    checks: &[Check],
) -> (Severity, String) {
    if let Some(runner) = code::runs_output_of(at.script, at.index, dest) {
        return (Severity::High, runner);
    }
    if at.cmd.piped {
        let next = at
            .script
            .cmds
            .iter()
            .skip(at.index + 1)
            .find(|c| c.stdin_from == Some(at.index));
        if let Some(next) = next {
            let checked = checks.iter().any(|c| {
                c.index > at.index
                    && c.fatal
                    && c.stated
                    && dest.is_some_and(|d| same_file(&c.file, d))
            });
            if !checked {
                return (
                    Severity::High,
                    format!(
                        "piped into {}, not verified",
                        super::program_name(next.program())
                    ),
                );
            }
        }
    }
    if at.program == "git" && git_pinned(at) {
        return (
            Severity::Low,
            "verified in the same RUN (commit pinned)".into(),
        );
    }
    let Some(dest) = dest.filter(|d| !d.is_empty()) else {
        return unverified(at, checks, None);
    };
    if let Some(c) = checks.iter().find(|c| {
        c.index > at.index
            && c.fatal
            && c.stated
            && c.material.as_deref().is_some_and(|m| same_file(m, dest))
    }) {
        return (
            Severity::Low,
            format!("the signature or digest list that the {} uses", c.how),
        );
    }
    let relevant: Vec<&Check> = checks
        .iter()
        .filter(|c| c.index > at.index && same_file(&c.file, dest))
        .collect();
    match relevant.iter().find(|c| c.fatal && c.stated) {
        Some(c) => (Severity::Low, format!("verified in the same RUN ({})", c.how)),
        None => match relevant.first() {
            Some(c) if !c.stated => (
                Severity::High,
                format!("not verified: {}, with no digest stated in the Dockerfile", c.how),
            ),
            Some(c) => (
                Severity::High,
                format!(
                    "not verified: {} but a mismatch does not fail the build (|| or a later command decides the RUN's status)",
                    c.how
                ),
            ),
            None => unverified(at, checks, Some(dest)),
        },
    }
}

fn unverified(at: &At<'_>, checks: &[Check], dest: Option<&str>) -> (Severity, String) {
    let elsewhere = checks.iter().any(|c| c.index > at.index);
    let mut how = if elsewhere {
        "not verified (the checks in this RUN are of other files)".to_string()
    } else {
        "not verified (no checksum or signature check in the Dockerfile)".to_string()
    };
    if let Some(runner) = dest.and_then(|d| code::runs_file(at.script, at.index, d)) {
        how.push_str(&format!(", then run by {runner}"));
    }
    (Severity::High, how)
}

fn git_pinned(at: &At<'_>) -> bool {
    at.script.cmds[at.index..].iter().any(|c| {
        super::program_name(c.program()) == "git"
            && c.words
                .iter()
                .any(|w| w.text.len() == 40 && w.text.chars().all(|c| c.is_ascii_hexdigit()))
    })
}

/// Whether two paths name the same file (a relative one matched by its name).
fn same_file(a: &str, b: &str) -> bool {
    if a == "*" {
        return true;
    }
    let a = a.trim_start_matches("./");
    let b = b.trim_start_matches("./");
    a == b || ((!a.starts_with('/') || !b.starts_with('/')) && url_basename(a) == url_basename(b))
}

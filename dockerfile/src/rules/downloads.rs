//! Downloads in RUN (rule VR301): where they land, and whether they are verified.

use vouch_proto::findings::Severity;

use super::{
    base, effective, glued_last, is_url, option_value, url_basename, At, Download, Raw, RunFacts,
    SHELLS,
};
use crate::rule;

const CHECK: &str = "Fetch it yourself, read what it is, and record the sha256 of what you reviewed (--download URL=sha256:HEX). Better: verify it in the Dockerfile (sha256sum -c, ADD --checksum) so the build cannot fetch something else.";

/// VR301: downloads by curl, wget and git clone, verified or not, piped into a shell or not.
pub(super) fn check(at: &At<'_>, facts: &mut RunFacts) {
    let At { words, program, .. } = *at;
    let download_tool = matches!(program, "curl" | "wget")
        || (program == "git" && words.get(1).is_some_and(|w| w == "clone"));
    if !download_tool {
        return;
    }
    for url in words.iter().skip(1).filter(|w| is_url(w)) {
        let dest = destination(at, url);
        let (severity, how) = verification(at);
        let into = dest
            .as_ref()
            .map(|d| format!(" to {d}"))
            .unwrap_or_default();
        facts.findings.push(Raw {
            rule: &rule::DOWNLOAD_RUN,
            // Whether it is verified is part of what it is: a change is a new finding.
            about: format!("{program} {url} {severity:?}"),
            summary: format!("{program} fetches {url}{into}: {how}"),
            severity,
            check: CHECK.into(),
        });
        if let Some(dest) = &dest {
            facts.created.push(dest.clone());
        }
        facts.downloads.push(Download {
            url: url.clone(),
            dest,
            finding: facts.findings.len() - 1,
        });
    }
}

/// Where the download of `url` lands, as the tool's options say (or its default name).
fn destination(at: &At<'_>, url: &str) -> Option<String> {
    let At {
        command,
        words,
        program,
        ..
    } = *at;
    match program {
        "curl" => option_value(words, &["-o", "--output"])
            .map(str::to_string)
            .or_else(|| glued_last(words, 'o'))
            .or_else(|| {
                let remote_name = words.iter().any(|w| {
                    w == "-O"
                        || w == "--remote-name"
                        || (w.starts_with('-') && !w.starts_with("--") && w.contains('O'))
                });
                if remote_name {
                    Some(url_basename(url))
                } else {
                    command.writes.first().cloned()
                }
            }),
        "wget" => match option_value(words, &["-O", "--output-document"]) {
            Some("-") => command.writes.first().cloned(),
            Some(file) => Some(file.to_string()),
            None => Some(match option_value(words, &["-P", "--directory-prefix"]) {
                Some(dir) => format!("{}/{}", dir.trim_end_matches('/'), url_basename(url)),
                None => url_basename(url),
            }),
        },
        _ => words
            .iter()
            .skip(2)
            .rfind(|w| !w.starts_with('-') && !is_url(w))
            .cloned()
            .or_else(|| Some(url_basename(url).trim_end_matches(".git").to_string())),
    }
}

/// How much the download matters: piped into a shell, verified in the same RUN (a checksum or
/// signature check, or a git commit pinned), piped elsewhere, or not verified.
fn verification(at: &At<'_>) -> (Severity, String) {
    let At {
        commands,
        index,
        command,
        program,
        all_words,
        verified,
        ..
    } = *at;
    let next = commands
        .get(index + 1)
        .map(|c| effective(&c.words))
        .and_then(|w| w.first())
        .map(|p| base(p).to_string())
        .unwrap_or_default();
    let git_pinned = program == "git"
        && all_words
            .iter()
            .any(|w| w.len() == 40 && w.chars().all(|c| c.is_ascii_hexdigit()));
    if command.piped && SHELLS.contains(&next.as_str()) {
        (Severity::High, format!("piped straight into {next}"))
    } else if verified || git_pinned {
        (Severity::Low, "verified in the same RUN".to_string())
    } else if command.piped {
        (Severity::High, format!("piped into {next}, not verified"))
    } else {
        (
            Severity::High,
            "not verified (no checksum or signature check in the Dockerfile)".to_string(),
        )
    }
}

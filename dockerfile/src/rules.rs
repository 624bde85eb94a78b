//! What a RUN instruction does that a reviewer must look at: package installs and the sources
//! they come from, downloads (and whether they are verified or piped into a shell), and
//! privilege changes. Works on the simple commands of [`crate::shell::split`].

use vouch_proto::findings::Severity;

use crate::rule::{self, Rule};

use crate::shell::SimpleCommand;

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

/// Analyses the commands of one RUN.
pub fn run(commands: &[SimpleCommand]) -> RunFacts {
    let mut facts = RunFacts::default();
    let all_words: Vec<&String> = commands.iter().flat_map(|c| &c.words).collect();
    let verified = commands.iter().any(|c| {
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
    });

    for (i, command) in commands.iter().enumerate() {
        let words = effective(&command.words);
        let Some(first) = words.first() else { continue };
        let program = base(first);

        // Package managers.
        if let Some(crate::packages::Install {
            manager,
            packages,
            unpinned,
            sources,
            weakened,
        }) = crate::packages::packages(words)
        {
            let mut summary = format!(
                "{manager} installs {}",
                if packages.is_empty() {
                    "(no packages named)".to_string()
                } else {
                    packages.join(", ")
                }
            );
            if !unpinned.is_empty() {
                summary.push_str(&format!(
                    "; not pinned to a version: {}",
                    unpinned.join(", ")
                ));
            }
            if !sources.is_empty() {
                summary.push_str(&format!("; from {}", sources.join(", ")));
            }
            if !weakened.is_empty() {
                summary.push_str(&format!(
                    "; signature checks weakened by {}",
                    weakened.join(" ")
                ));
            }
            let severity = if !weakened.is_empty() || !sources.is_empty() {
                Severity::High
            } else if !unpinned.is_empty() || packages.iter().any(|p| p.starts_with("-r ")) {
                Severity::Medium
            } else {
                Severity::Low
            };
            let mut set = packages.clone();
            set.sort();
            facts.findings.push(Raw {
                rule: &rule::PACKAGES,
                about: format!("{manager} {} {}", set.join(" "), sources.join(" ")),
                summary,
                severity,
                check: "Are these packages, and the repositories they come from, ones you trust? Unpinned versions mean a rebuild can install different code: pin them (apt: name=version, pip: name==version with --require-hashes, npm: name@version).".into(),
            });
            if packages
                .iter()
                .any(|p| p == "sudo" || p.starts_with("sudo="))
            {
                facts.findings.push(Raw {
                    rule: &rule::SUDO,
                    about: "sudo".into(),
                    summary: "installs sudo".into(),
                    severity: Severity::Medium,
                    check: "Why does the container need sudo? Check who may use it (sudoers) and whether the image runs as a non-root user at all.".into(),
                });
            }
        }

        // Package repositories and signing keys.
        let writes_to = |prefixes: &[&str]| -> Option<String> {
            let tee_targets = if program == "tee" {
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
        };
        let repository = match program {
            "add-apt-repository" => words
                .iter()
                .skip(1)
                .find(|w| !w.starts_with('-'))
                .map(|r| format!("adds the apt repository {r}")),
            "apt-key" if words.get(1).is_some_and(|w| w == "add" || w == "adv") => {
                Some("adds an apt signing key (apt-key)".into())
            }
            "rpm" if words.iter().any(|w| w == "--import") => Some(format!(
                "imports an rpm signing key {}",
                words.last().map(String::as_str).unwrap_or("")
            )),
            "yum-config-manager" | "dnf"
                if words
                    .iter()
                    .any(|w| w == "--add-repo" || w == "config-manager") =>
            {
                Some(format!(
                    "adds a yum repository {}",
                    words
                        .iter()
                        .find(|w| is_url(w))
                        .map(String::as_str)
                        .unwrap_or("")
                ))
            }
            "gpg" if words.iter().any(|w| w == "--dearmor") => {
                writes_to(&["/usr/share/keyrings", "/etc/apt/"])
                    .map(|t| format!("installs a package signing key at {t}"))
                    .or_else(|| {
                        option_value(words, &["-o", "--output"])
                            .map(|t| format!("installs a signing key at {t}"))
                    })
            }
            _ => writes_to(&[
                "/etc/apt/sources.list",
                "/etc/yum.repos.d/",
                "/etc/apk/repositories",
                "/usr/share/keyrings/",
                "/etc/apt/trusted.gpg",
                "/etc/pip.conf",
                "/root/.npmrc",
            ])
            .map(|t| format!("writes package sources or keys: {t}")),
        };
        if let Some(summary) = repository {
            facts.findings.push(Raw {
                rule: &rule::PACKAGE_SOURCE,
                about: words.join(" "),
                summary,
                severity: Severity::High,
                check: "A new repository or signing key decides what every later install trusts. Who runs it, is the key fetched over TLS and checked against a known fingerprint?".into(),
            });
        }

        // Downloads.
        let urls: Vec<&String> = words.iter().skip(1).filter(|w| is_url(w)).collect();
        let download_tool = matches!(program, "curl" | "wget")
            || (program == "git" && words.get(1).is_some_and(|w| w == "clone"));
        if download_tool && !urls.is_empty() {
            let next = commands
                .get(i + 1)
                .map(|c| effective(&c.words))
                .and_then(|w| w.first())
                .map(|p| base(p).to_string());
            let piped_to_shell =
                command.piped && next.as_deref().is_some_and(|n| SHELLS.contains(&n));
            for url in &urls {
                let dest = match program {
                    "curl" => option_value(words, &["-o", "--output"])
                        .map(str::to_string)
                        .or_else(|| glued_last(words, 'o'))
                        .or_else(|| {
                            if words.iter().any(|w| {
                                w == "-O"
                                    || w == "--remote-name"
                                    || (w.starts_with('-')
                                        && !w.starts_with("--")
                                        && w.contains('O'))
                            }) {
                                Some(url_basename(url))
                            } else {
                                command.writes.first().cloned()
                            }
                        }),
                    "wget" => match option_value(words, &["-O", "--output-document"]) {
                        Some("-") => command.writes.first().cloned(),
                        Some(file) => Some(file.to_string()),
                        None => Some(match option_value(words, &["-P", "--directory-prefix"]) {
                            Some(dir) => {
                                format!("{}/{}", dir.trim_end_matches('/'), url_basename(url))
                            }
                            None => url_basename(url),
                        }),
                    },
                    _ => words
                        .iter()
                        .skip(2)
                        .rfind(|w| !w.starts_with('-') && !is_url(w))
                        .cloned()
                        .or_else(|| Some(url_basename(url).trim_end_matches(".git").to_string())),
                };
                let git_pinned = program == "git"
                    && all_words
                        .iter()
                        .any(|w| w.len() == 40 && w.chars().all(|c| c.is_ascii_hexdigit()));
                let (severity, how) = if piped_to_shell {
                    (
                        Severity::High,
                        format!("piped straight into {}", next.clone().unwrap_or_default()),
                    )
                } else if verified || git_pinned {
                    (Severity::Low, "verified in the same RUN".to_string())
                } else if command.piped {
                    (
                        Severity::High,
                        format!(
                            "piped into {}, not verified",
                            next.clone().unwrap_or_default()
                        ),
                    )
                } else {
                    (
                        Severity::High,
                        "not verified (no checksum or signature check in the Dockerfile)"
                            .to_string(),
                    )
                };
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
                    check: "Fetch it yourself, read what it is, and record the sha256 of what you reviewed (--download URL=sha256:HEX). Better: verify it in the Dockerfile (sha256sum -c, ADD --checksum) so the build cannot fetch something else.".into(),
                });
                if let Some(dest) = &dest {
                    facts.created.push(dest.clone());
                }
                facts.downloads.push(Download {
                    url: (*url).clone(),
                    dest,
                    finding: facts.findings.len() - 1,
                });
            }
        }

        // Privilege changes.
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
        if let Some(target) = writes_to(&["/etc/sudoers"]) {
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
        if let Some(target) = writes_to(&["/etc/passwd", "/etc/shadow", "/etc/group"]) {
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

        // Paths created by moves, copies and links, for the entrypoint check.
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
    facts
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

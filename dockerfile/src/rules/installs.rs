//! Package installs and the repositories and keys they trust (rules VR201-VR203).

use vouch_proto::findings::Severity;

use super::{option_value, url_like, At, Raw, RunFacts};
use crate::rule;

/// Whether `words` run a package manager.
pub(crate) fn is_package_manager(words: &[String]) -> bool {
    crate::packages::is_package_manager(words)
}

/// VR201, VR203: packages a package manager installs (and sudo among them).
pub(super) fn packages(at: &At<'_>, facts: &mut RunFacts) {
    let At { words, .. } = *at;
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
        if let Some(tool) = packages.iter().find_map(|p| {
            let name = p.split(['=', '@']).next().unwrap_or(p);
            matches!(name, "sudo" | "doas" | "opendoas").then_some(name)
        }) {
            let tool = if tool == "opendoas" { "doas" } else { tool };
            facts.findings.push(Raw {
                rule: &rule::SUDO,
                about: tool.into(),
                summary: format!("installs {tool}"),
                severity: Severity::Medium,
                check: "Why does the container need sudo? Check who may use it (sudoers) and whether the image runs as a non-root user at all.".into(),
            });
        }
    }
}

/// VR202: package repositories and signing keys added.
pub(super) fn sources(at: &At<'_>, facts: &mut RunFacts) {
    let At { words, program, .. } = *at;
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
        "yum-config-manager" | "dnf" | "zypper"
            if words.iter().any(|w| {
                w == "--add-repo" || w == "config-manager" || w == "addrepo" || w == "ar"
            }) =>
        {
            Some(format!(
                "adds a yum repository {}",
                words
                    .iter()
                    .find(|w| url_like(w))
                    .map(String::as_str)
                    .unwrap_or("")
            ))
        }
        "gpg" | "gpg2" if words.iter().any(|w| w == "--dearmor" || w == "--import") => {
            let keyring = at
                .cmd
                .writes
                .iter()
                .find(|t| t.starts_with("/usr/share/keyrings") || t.starts_with("/etc/apt/"));
            match (keyring, option_value(words, &["-o", "--output"])) {
                (Some(t), _) => Some(format!("installs a package signing key at {t}")),
                (None, Some(t)) => Some(format!("installs a signing key at {t}")),
                (None, None) if words.iter().any(|w| w == "--import") => {
                    Some("imports a signing key into gpg".into())
                }
                (None, None) => None,
            }
        }
        "update-ca-certificates" | "update-ca-trust" | "trust" => None,
        _ => None,
    };
    if repository.is_none() {
        return super::targets::check(at, facts);
    }
    if let Some(summary) = repository {
        facts.findings.push(Raw {
            rule: &rule::PACKAGE_SOURCE,
            about: words.join(" "),
            summary,
            severity: Severity::High,
            check: "A new repository or signing key decides what every later install trusts. Who runs it, is the key fetched over TLS and checked against a known fingerprint?".into(),
        });
    }
}

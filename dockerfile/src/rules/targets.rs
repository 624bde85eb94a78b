//! Files that change what the image trusts: sudoers and doas, account files, the loader and
//! PAM, package sources and keys, package-manager and download settings, and TLS roots. The
//! same table serves RUN (every file a command writes, however it writes it) and COPY/ADD
//! destinations.

use vouch_proto::findings::Severity;

use super::{At, Raw, RunFacts};
use crate::rule::{self, Rule};

/// Path prefixes and what writing under them means.
const SENSITIVE: &[(&str, Kind)] = &[
    ("/etc/sudoers", Kind::Sudoers),
    ("/etc/doas.conf", Kind::Sudoers),
    ("/etc/doas.d/", Kind::Sudoers),
    ("/etc/passwd", Kind::Accounts),
    ("/etc/shadow", Kind::Accounts),
    ("/etc/group", Kind::Accounts),
    ("/etc/gshadow", Kind::Accounts),
    ("/etc/ld.so.preload", Kind::Loader),
    ("/etc/ld.so.conf", Kind::Loader),
    ("/etc/pam.d/", Kind::Loader),
    ("/etc/security/", Kind::Loader),
    ("/etc/apt/sources.list", Kind::Sources),
    ("/etc/yum.repos.d/", Kind::Sources),
    ("/etc/zypp/repos.d/", Kind::Sources),
    ("/etc/apk/repositories", Kind::Sources),
    ("/etc/apk/keys/", Kind::Sources),
    ("/usr/share/keyrings/", Kind::Sources),
    ("/etc/apt/keyrings/", Kind::Sources),
    ("/etc/apt/trusted.gpg", Kind::Sources),
    ("/etc/pki/rpm-gpg/", Kind::Sources),
    ("/etc/pip.conf", Kind::Sources),
    ("/root/.npmrc", Kind::Sources),
    ("/etc/apt/apt.conf", Kind::Config),
    ("/etc/yum.conf", Kind::Config),
    ("/etc/dnf/dnf.conf", Kind::Config),
    ("/etc/gitconfig", Kind::Config),
    ("/etc/wgetrc", Kind::Config),
    ("/etc/environment", Kind::Config),
    ("/etc/npmrc", Kind::Config),
    ("/usr/local/share/ca-certificates/", Kind::TlsRoot),
    ("/usr/share/ca-certificates/", Kind::TlsRoot),
    ("/etc/ssl/certs/", Kind::TlsRoot),
    ("/etc/pki/ca-trust/source/anchors/", Kind::TlsRoot),
    ("/etc/pki/tls/certs/", Kind::TlsRoot),
    ("/etc/ca-certificates.conf", Kind::TlsRoot),
];

/// Config files by name, wherever they are (a user's home, a project).
const CONFIG_NAMES: [&str; 10] = [
    ".npmrc",
    ".yarnrc",
    ".yarnrc.yml",
    "pip.conf",
    ".condarc",
    ".gemrc",
    ".gitconfig",
    ".curlrc",
    ".wgetrc",
    ".pydistutils.cfg",
];

/// Settings in a config file that switch checks off.
pub(crate) const WEAKENING_SETTINGS: [&str; 14] = [
    "allowunauthenticated",
    "allowinsecurerepositories",
    "allowdowngradetoinsecure",
    "verify-peer",
    "gpgcheck=0",
    "gpgcheck = 0",
    "sslverify=0",
    "sslverify=false",
    "sslverify = false",
    "strict-ssl=false",
    "trusted-host",
    "insecure",
    "check_certificate",
    "trusted=yes",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sudoers,
    Accounts,
    Loader,
    Sources,
    Config,
    TlsRoot,
}

fn kind(path: &str) -> Option<Kind> {
    let path = path.trim_start_matches('.');
    let path = if path.starts_with("//") {
        &path[1..]
    } else {
        path
    };
    if let Some((_, kind)) = SENSITIVE.iter().find(|(p, _)| path.starts_with(p)) {
        return Some(*kind);
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    let in_apt_conf = path.contains("/apt.conf.d/");
    (CONFIG_NAMES.contains(&name) || in_apt_conf).then_some(Kind::Config)
}

/// The finding for writing `path` with `content` (what is known of it); `about` names what
/// wrote it for package sources (the command, as earlier versions did).
pub(crate) fn finding(path: &str, content: &str, by: &str, about: String) -> Option<Raw> {
    let kind = kind(path)?;
    let lower = content.to_ascii_lowercase();
    let raw = |rule: &'static Rule, about: String, summary: String, severity| Raw {
        rule,
        about,
        summary,
        severity,
        check: rule.help.to_string(),
    };
    Some(match kind {
        Kind::Sudoers => {
            let nopasswd = content.contains("NOPASSWD") || content.contains("nopass");
            let with = if nopasswd { " with NOPASSWD" } else { "" };
            raw(
                &rule::SUDOERS,
                format!("{path} nopasswd={nopasswd}"),
                format!("edits {path}{with}"),
                Severity::High,
            )
        }
        Kind::Accounts => raw(
            &rule::ACCOUNT_FILES,
            path.to_string(),
            format!("writes {path} directly"),
            Severity::High,
        ),
        Kind::Loader => raw(
            &rule::LOADER,
            path.to_string(),
            format!("{by} writes {path}: the loader or login configuration"),
            Severity::High,
        ),
        Kind::Sources => raw(
            &rule::PACKAGE_SOURCE,
            about,
            format!("writes package sources or keys: {path}"),
            Severity::High,
        ),
        Kind::Config => {
            let weakened = WEAKENING_SETTINGS.iter().find(|w| lower.contains(*w));
            let (severity, how) = match weakened {
                Some(w) => (Severity::High, format!(", with {w}")),
                None => (Severity::Medium, String::new()),
            };
            raw(
                &rule::PACKAGE_CONFIG,
                path.to_string(),
                format!("{by} writes {path}{how}: settings every later fetch follows"),
                severity,
            )
        }
        Kind::TlsRoot => raw(
            &rule::TLS_ROOT,
            path.to_string(),
            format!("{by} adds {path} to the trusted TLS roots"),
            Severity::High,
        ),
    })
}

/// Every file this command writes, however: redirections, `tee`, `cp`/`mv`/`install`/`ln`
/// destinations, `sed -i` and `perl -i` files, `dd of=`.
pub(crate) fn written(at: &At<'_>) -> Vec<String> {
    let mut files = at.cmd.writes.clone();
    let args: Vec<&String> = at.words[1..]
        .iter()
        .filter(|w| !w.starts_with('-'))
        .collect();
    match at.program {
        "tee" => files.extend(args.iter().map(|a| a.to_string())),
        "cp" | "mv" | "install" | "ln" | "rsync" => {
            if let (Some(dest), Some(src)) = (args.last(), args.first()) {
                if args.len() >= 2 {
                    files.push(into(dest, src));
                }
            }
        }
        "sed" | "perl" if at.words.iter().any(|w| w.starts_with("-i")) => {
            files.extend(args.iter().skip(1).map(|a| a.to_string()));
        }
        "dd" => files.extend(
            at.words
                .iter()
                .filter_map(|w| w.strip_prefix("of="))
                .map(str::to_string),
        ),
        "visudo" => files.push(
            super::option_value(at.words, &["-f", "--file"])
                .unwrap_or("/etc/sudoers")
                .to_string(),
        ),
        _ => {}
    }
    files
}

/// The path `src` lands at when copied to `dest` (a directory when it ends in `/`).
pub(crate) fn into(dest: &str, src: &str) -> String {
    if dest.ends_with('/') {
        let name = src.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        format!("{dest}{name}")
    } else {
        dest.to_string()
    }
}

/// The content a command writes, as far as the review knows it: its here-document, what
/// `echo`/`printf` print, or the whole RUN's words (for a `sed` or a copy).
fn content(at: &At<'_>) -> String {
    if let Some(doc) = &at.cmd.stdin_doc {
        return doc.text.clone();
    }
    let source = at.cmd.stdin_from.map(|i| &at.script.cmds[i]);
    let mut text = at.words.join(" ");
    if let Some(source) = source {
        text.push(' ');
        text.push_str(&source.texts().join(" "));
    }
    text
}

/// VR202, VR204, VR205, VR505, VR506, VR511: what this command writes, one finding a file.
pub(super) fn check(at: &At<'_>, facts: &mut RunFacts) {
    let content = content(at);
    let mut seen = Vec::new();
    for path in written(at) {
        if seen.contains(&path) {
            continue;
        }
        if let Some(raw) = finding(&path, &content, at.program, at.words.join(" ")) {
            facts.findings.push(raw);
        }
        seen.push(path);
    }
}

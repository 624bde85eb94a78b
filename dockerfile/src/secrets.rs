//! Credentials and proxies in ENV and ARG (rules VR601, VR602).

use vouch_proto::findings::Severity;

use crate::rule;
use crate::rules::Raw;

/// Findings for an ENV or ARG that looks like a credential or passes a proxy through.
pub(crate) fn secrets(name: &str, value: &str, how: &str) -> Vec<Raw> {
    let lower = name.to_ascii_lowercase();
    let mut found = Vec::new();
    if matches!(
        lower.as_str(),
        "http_proxy" | "https_proxy" | "ftp_proxy" | "all_proxy" | "no_proxy"
    ) {
        found.push(Raw {
            rule: &rule::PROXY,
            about: format!("{how} {name}"),
            summary: format!("{how} {name} passes a proxy through the build"),
            severity: Severity::Medium,
            check: "The build's downloads go through this proxy, which can change them; as ENV it also stays in the image. Is it needed, and trusted?".into(),
        });
        return found;
    }
    let credential_name = credential_name(name);
    let credential_value = [
        "AKIA",
        "ghp_",
        "gho_",
        "glpat-",
        "xoxb-",
        "xoxp-",
        "sk_live_",
        "-----BEGIN",
        "npm_",
        "github_pat_",
        "AIza",
    ]
    .iter()
    .any(|p| value.contains(p));
    if credential_name || credential_value {
        let severity = if how == "ENV" || !value.is_empty() {
            Severity::High
        } else {
            Severity::Medium
        };
        found.push(Raw {
            rule: &rule::CREDENTIAL,
            about: format!("{how} {name}"),
            summary: format!("{how} {name} looks like a credential{}", if value.is_empty() { "" } else { " and has a value in the Dockerfile" }),
            severity,
            check: "ARG values are recorded in the image history and ENV values stay in the image: use a build secret (RUN --mount=type=secret) instead, and rotate anything already published.".into(),
        });
    }
    found
}

/// Whether a variable's name says it holds a credential: a part of the name (split at `_`)
/// is a password, secret, token, credential or auth word, or a key that is private, an API
/// key, an access key or an SSH key. Names of public key material (`GPG_KEY`, `KEY_ID`,
/// fingerprints, keyservers) are not.
fn credential_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let parts: Vec<&str> = upper
        .split(['_', '-', '.'])
        .filter(|p| !p.is_empty())
        .collect();
    let public = parts.iter().any(|p| {
        matches!(
            *p,
            "GPG"
                | "PGP"
                | "ID"
                | "FINGERPRINT"
                | "KEYSERVER"
                | "PUBLIC"
                | "PUB"
                | "KEYS"
                | "KEYRING"
                | "PATH"
                | "FILE"
                | "URL"
                | "DIR"
        )
    });
    let word = parts.iter().any(|p| {
        matches!(
            *p,
            "PASSWORD"
                | "PASSWD"
                | "PASS"
                | "PWD"
                | "SECRET"
                | "SECRETS"
                | "TOKEN"
                | "CREDENTIAL"
                | "CREDENTIALS"
                | "AUTH"
                | "APIKEY"
                | "PAT"
                | "NPMRC"
                | "NETRC"
                | "PASSPHRASE"
        )
    }) || upper.contains("PASSWORD")
        || upper.contains("TOKEN")
        || upper.contains("SECRET");
    let key = parts.windows(2).any(|w| {
        w[1] == "KEY"
            && matches!(
                w[0],
                "API"
                    | "ACCESS"
                    | "PRIVATE"
                    | "SSH"
                    | "SECRET"
                    | "SIGNING"
                    | "DEPLOY"
                    | "LICENSE"
                    | "ENCRYPTION"
                    | "MASTER"
                    | "AUTH"
            )
    }) || upper == "KEY"
        || upper.ends_with("PRIVATE_KEY");
    word || (key && !public)
}

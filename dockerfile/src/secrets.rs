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
    let credential_name = [
        "password",
        "passwd",
        "secret",
        "token",
        "api_key",
        "apikey",
        "access_key",
        "private_key",
        "credential",
        "auth",
    ]
    .iter()
    .any(|w| lower.contains(w));
    let credential_value = [
        "AKIA",
        "ghp_",
        "gho_",
        "glpat-",
        "xoxb-",
        "xoxp-",
        "sk_live_",
        "-----BEGIN",
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

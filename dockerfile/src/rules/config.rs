//! Package-manager and download settings that change what is fetched or whether it is checked
//! (rule VR204), wherever they are set: environment variables (ENV, ARG, `export`, a command's
//! prefix), config commands (`npm config set registry`, `git config http.sslVerify false`,
//! `go env -w GOSUMDB=off`, ...) and config files (see `targets`). Also credentials in URLs
//! (VR603), which are redacted wherever a URL is shown.

use vouch_proto::findings::Severity;

use super::{At, Raw, RunFacts};
use crate::rule;

/// Variables that point a package manager elsewhere or switch its checks off: name, and
/// whether any value matters (`true`) or only values that switch something off.
const VARIABLES: &[(&str, bool)] = &[
    ("PIP_INDEX_URL", true),
    ("PIP_EXTRA_INDEX_URL", true),
    ("PIP_TRUSTED_HOST", true),
    ("PIP_FIND_LINKS", true),
    ("UV_INDEX_URL", true),
    ("UV_EXTRA_INDEX_URL", true),
    ("UV_DEFAULT_INDEX", true),
    ("UV_INSECURE_HOST", true),
    ("GOPROXY", true),
    ("GOSUMDB", false),
    ("GONOSUMDB", true),
    ("GONOSUMCHECK", true),
    ("GOINSECURE", true),
    ("GOFLAGS", false),
    ("GIT_SSL_NO_VERIFY", true),
    ("NODE_TLS_REJECT_UNAUTHORIZED", false),
    ("NPM_CONFIG_REGISTRY", true),
    ("NPM_CONFIG_STRICT_SSL", false),
    ("YARN_REGISTRY", true),
    ("YARN_NPM_REGISTRY_SERVER", true),
    ("PYTHONHTTPSVERIFY", false),
    ("CURL_CA_BUNDLE", true),
    ("REQUESTS_CA_BUNDLE", true),
    ("SSL_CERT_FILE", true),
    ("NODE_EXTRA_CA_CERTS", true),
    ("CARGO_HTTP_CHECK_REVOKE", false),
    ("CARGO_NET_GIT_FETCH_WITH_CLI", false),
    ("BUNDLE_MIRROR__ALL", true),
    ("GEM_SOURCE", true),
    ("CONDA_CHANNELS", true),
    ("COMPOSER_DISABLE_TLS", true),
    ("HOMEBREW_NO_INSECURE_REDIRECT", false),
];

/// Values that switch a check off.
fn switches_off(value: &str) -> bool {
    let v = value.to_ascii_lowercase();
    matches!(
        v.as_str(),
        "0" | "off" | "false" | "no" | "1" | "true" | "direct"
    ) || v.contains("insecure")
        || v.contains("off")
}

/// The VR204 finding for setting `name` to `value` by `how` (`ENV`, `ARG`, `export`, ...).
pub(crate) fn variable(name: &str, value: &str, how: &str) -> Option<Raw> {
    let upper = name.to_ascii_uppercase();
    let (_, any) = VARIABLES.iter().find(|(n, _)| *n == upper)?;
    if !any && !switches_off(value) {
        return None;
    }
    if upper == "GOPROXY" && value == "https://proxy.golang.org,direct" {
        return None;
    }
    Some(Raw {
        rule: &rule::PACKAGE_CONFIG,
        about: format!("{how} {name}={value}"),
        summary: format!(
            "{how} {name}={}: changes what package managers fetch or check",
            redact(value)
        ),
        severity: Severity::High,
        check: rule::PACKAGE_CONFIG.help.into(),
    })
}

/// VR204 and VR603 in a command: its environment, `export`, config commands, URLs with
/// credentials.
pub(super) fn check(at: &At<'_>, facts: &mut RunFacts) {
    for (name, value) in &at.cmd.env {
        facts.findings.extend(variable(
            name,
            &value.text,
            "the environment of the command:",
        ));
    }
    if matches!(at.program, "export" | "declare" | "typeset" | "set") {
        for word in &at.words[1..] {
            if let Some((name, value)) = word.split_once('=') {
                facts.findings.extend(variable(name, value, at.program));
            }
        }
    }
    if let Some(setting) = config_command(at.words, at.program) {
        facts.findings.push(Raw {
            rule: &rule::PACKAGE_CONFIG,
            about: at.words.join(" "),
            summary: format!("{}: {setting}", redact(&at.words.join(" "))),
            severity: Severity::High,
            check: rule::PACKAGE_CONFIG.help.into(),
        });
    }
    for word in at.words {
        facts.findings.extend(url_credential(word, at.program));
    }
}

/// What a config command changes, if it changes a source or a check.
fn config_command(words: &[String], program: &str) -> Option<&'static str> {
    let lower: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
    let has = |w: &str| lower.iter().any(|x| x.contains(w));
    let sub = |i: usize, w: &str| lower.get(i).is_some_and(|x| x == w);
    match program {
        "npm" | "yarn" | "pnpm" if sub(1, "config") && sub(2, "set") => {
            if has("registry") {
                Some("points the registry elsewhere")
            } else if has("strict-ssl") || has("ca") {
                Some("changes TLS checks")
            } else {
                None
            }
        }
        "pip" | "pip3" if sub(1, "config") && (has("index-url") || has("trusted-host")) => {
            Some("points pip at another index or trusts a host")
        }
        "git" if sub(1, "config") && has("sslverify") => Some("switches git's TLS checks off"),
        "git" if sub(1, "config") && has("insteadof") => Some("rewrites git URLs to another host"),
        "go" if sub(1, "env")
            && (has("goproxy") || has("gosumdb") || has("goinsecure") || has("gonosumdb")) =>
        {
            Some("changes Go's module proxy or checksum database")
        }
        "conda" | "mamba" if sub(1, "config") && (has("channels") || has("ssl_verify")) => {
            Some("adds a conda channel or changes its TLS checks")
        }
        "gem" if sub(1, "sources") && (has("-a") || has("--add")) => Some("adds a gem source"),
        "bundle" if sub(1, "config") && has("mirror") => Some("adds a bundler mirror"),
        "composer" if sub(1, "config") && (has("repo") || has("secure-http")) => {
            Some("adds a composer repository or allows plain HTTP")
        }
        _ => None,
    }
}

/// VR603: a URL carrying a user name and password or token.
pub(crate) fn url_credential(word: &str, how: &str) -> Option<Raw> {
    if !super::url_like(word) {
        return None;
    }
    let rest = word.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let (userinfo, host) = authority.rsplit_once('@')?;
    if userinfo.is_empty() {
        return None;
    }
    Some(Raw {
        rule: &rule::URL_CREDENTIAL,
        about: format!("{how} {host}"),
        summary: format!(
            "{how} uses a URL with credentials for {host}: {}",
            redact(word)
        ),
        severity: Severity::High,
        check: rule::URL_CREDENTIAL.help.into(),
    })
}

/// `word` with the password or token of any URL userinfo replaced by `***`.
pub(crate) fn redact(word: &str) -> String {
    let Some((scheme, rest)) = word.split_once("://") else {
        return word.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            let shown = if userinfo.contains(':') {
                format!("{user}:***")
            } else {
                "***".into()
            };
            format!("{scheme}://{shown}@{host}{tail}")
        }
        None => word.to_string(),
    }
}

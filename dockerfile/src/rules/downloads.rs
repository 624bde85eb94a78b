//! Downloads (rules VR301, VR303, VR304): every program that fetches, by family, with where
//! the download lands and whether a check that can fail the build verifies that file.
//! Fail safe: a program the review does not know that is handed a URL is reported too.

use vouch_proto::findings::Severity;

use super::checks::{verification, Check};
use super::{code, option_value, At, Download, Raw, RunFacts, When};
use crate::rule;
use crate::script::{Script, Value};

const CHECK: &str = "Fetch it yourself, read what it is, and record the sha256 of what you reviewed (--download URL=sha256:HEX). Better: verify it in the Dockerfile (sha256sum -c, ADD --checksum) so the build cannot fetch something else.";

/// Schemes that fetch over the network (compared without case, as clients do).
const SCHEMES: [&str; 14] = [
    "http://",
    "https://",
    "ftp://",
    "ftps://",
    "sftp://",
    "scp://",
    "tftp://",
    "git://",
    "ssh://",
    "rsync://",
    "s3://",
    "gs://",
    "git+https://",
    "git+ssh://",
];

/// Programs whose URL arguments are text, not fetches.
const TEXT_ONLY: [&str; 20] = [
    "echo",
    "printf",
    "sed",
    "grep",
    "awk",
    "test",
    "[",
    "export",
    "local",
    "declare",
    "readonly",
    "git",
    "add-apt-repository",
    "set",
    "yum-config-manager",
    "rpm",
    "apt-key",
    "zypper",
    "find",
    "xargs",
];

/// Hosts on the container itself: a health check of them fetches nothing from outside.
fn loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', ':', '?']).next().unwrap_or("");
    matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "0.0.0.0")
}

/// Whether `word` is a URL the network serves.
pub(crate) fn url_like(word: &str) -> bool {
    let lower = word
        .get(..12.min(word.len()))
        .unwrap_or("")
        .to_ascii_lowercase();
    SCHEMES
        .iter()
        .any(|s| lower.starts_with(s) || word.to_ascii_lowercase().starts_with(s))
        || (word.starts_with("git@") && word.contains(':'))
}

/// A fetch found in one command.
struct Fetch {
    tool: String,
    urls: Vec<Value>,
    dest: Option<String>,
    /// Options that switch TLS checks off.
    insecure: Option<&'static str>,
}

/// Options of curl that take a value (the value is not a URL).
const CURL_VALUE_OPTIONS: [&str; 36] = [
    "-o",
    "--output",
    "-H",
    "--header",
    "-d",
    "--data",
    "--data-binary",
    "--data-raw",
    "-u",
    "--user",
    "-A",
    "--user-agent",
    "-e",
    "--referer",
    "-x",
    "--proxy",
    "-X",
    "--request",
    "-T",
    "--upload-file",
    "-b",
    "--cookie",
    "-c",
    "--cookie-jar",
    "-K",
    "--config",
    "-w",
    "--write-out",
    "-m",
    "--max-time",
    "--retry",
    "--connect-timeout",
    "-r",
    "--range",
    "-F",
    "--form",
];

/// Options of wget (and the other fetchers) that take a value.
const WGET_VALUE_OPTIONS: [&str; 16] = [
    "-O",
    "--output-document",
    "-P",
    "--directory-prefix",
    "-o",
    "--output-file",
    "-a",
    "-t",
    "--tries",
    "-T",
    "--timeout",
    "-U",
    "--user-agent",
    "--header",
    "-e",
    "-d",
];

/// VR301 (VR304 at run time) and VR303.
pub(super) fn check(at: &At<'_>, checks: &[Check], facts: &mut RunFacts) {
    network(at, facts);
    let Some(fetch) = fetch(at) else { return };
    for url in &fetch.urls {
        if at.when == When::Runtime && loopback(&url.text) {
            continue;
        }
        let dest = match fetch.dest.clone() {
            Some(dir) if dir.ends_with('/') => Some(format!("{dir}{}", url_basename(&url.text))),
            Some(dest) => Some(dest),
            None => default_dest(at, &url.text),
        };
        let (severity, how) = verification(at, dest.as_deref(), checks);
        let (severity, how) = match fetch.insecure {
            Some(flag) => (Severity::High, format!("{how}; TLS checks off ({flag})")),
            None => (severity, how),
        };
        let into = dest
            .as_ref()
            .map(|d| format!(" to {d}"))
            .unwrap_or_default();
        let shown = super::config::redact(&url.text);
        let (rule, about, summary) = match at.when {
            When::Build => (
                &rule::DOWNLOAD_RUN,
                format!("{} {} {severity:?}", at.program, url.text),
                format!("{} fetches {shown}{into}: {how}", fetch.tool),
            ),
            When::Runtime => (
                &rule::RUNTIME_FETCH,
                format!("{} {}", at.program, url.text),
                format!("{} fetches {shown} when the container runs", fetch.tool),
            ),
        };
        let severity = if at.when == When::Runtime {
            Severity::High
        } else {
            severity
        };
        facts.findings.push(Raw {
            rule,
            about,
            summary,
            severity,
            check: CHECK.into(),
        });
        if let Some(dest) = &dest {
            facts.created.push(dest.clone());
        }
        facts.downloads.push(Download {
            url: url.text.clone(),
            dest,
            finding: facts.findings.len() - 1,
        });
        code::unfixed(&url.unresolved, &format!("the URL {shown}"), facts);
    }
}

/// What this command fetches, if it fetches.
fn fetch(at: &At<'_>) -> Option<Fetch> {
    let At { words, program, .. } = *at;
    let values = &at.cmd.words;
    let tool = |name: &str| name.to_string();
    let urls_of = |skip: usize| -> Vec<Value> { positional(values, skip, program) };
    let insecure = insecure_flag(words, program);
    let fetch = match program {
        "curl" | "wget" | "wget2" | "aria2c" | "axel" | "fetch" | "http" | "https" | "xh"
        | "httpie" | "lwp-download" | "lwp-request" | "GET" => {
            let mut urls = urls_of(1);
            if let Some(u) = option_value(words, &["--url"]) {
                urls.push(Value::literal(u));
            }
            if let Some(list) = option_value(words, &["-i", "--input-file"]) {
                urls.push(Value::opaque(&format!("(the URLs listed in {list})")));
            }
            Fetch {
                tool: tool(program),
                urls,
                dest: destination(at),
                insecure,
            }
        }
        "git" => git(at)?,
        "svn" | "hg" | "bzr" | "fossil"
            if words.get(1).is_some_and(|w| {
                matches!(
                    w.as_str(),
                    "checkout" | "co" | "export" | "clone" | "branch"
                )
            }) =>
        {
            Fetch {
                tool: format!("{program} {}", words[1]),
                urls: urls_of(2).into_iter().take(1).collect(),
                dest: None,
                insecure: None,
            }
        }
        "scp" | "sftp" | "rsync" => {
            let remote: Vec<Value> = values[1..]
                .iter()
                .filter(|v| {
                    let t = &v.text;
                    !t.starts_with('-') && (url_like(t) || remote_path(t))
                })
                .cloned()
                .collect();
            if remote.is_empty() {
                return None;
            }
            Fetch {
                tool: tool(program),
                urls: remote,
                dest: words.last().filter(|w| !w.contains(':')).cloned(),
                insecure: None,
            }
        }
        "certutil" if words.iter().any(|w| w.eq_ignore_ascii_case("-urlcache")) => Fetch {
            tool: "certutil -urlcache".into(),
            urls: values
                .iter()
                .filter(|v| url_like(&v.text))
                .cloned()
                .collect(),
            dest: words.last().filter(|w| !url_like(w)).cloned(),
            insecure: None,
        },
        "bitsadmin" | "gsutil" | "rclone" | "oras" | "crane" => url_arguments(at),
        "aws" | "gcloud" | "az" if words.iter().any(|w| w == "cp" || w == "download") => {
            url_arguments(at)
        }
        _ => return unknown_fetcher(at),
    };
    (!fetch.urls.is_empty()).then_some(fetch)
}

/// The option that switches the fetcher's TLS checks off, if one is given.
fn insecure_flag(words: &[String], program: &str) -> Option<&'static str> {
    words.iter().find_map(|w| match w.as_str() {
        "-k" | "--insecure" => Some("--insecure"),
        "--no-check-certificate" => Some("--no-check-certificate"),
        w if w.starts_with('-') && !w.starts_with("--") && w.contains('k') && program == "curl" => {
            Some("-k")
        }
        _ => None,
    })
}

/// The URL arguments of a cloud or artifact tool.
fn url_arguments(at: &At<'_>) -> Fetch {
    Fetch {
        tool: at.program.to_string(),
        urls: at.cmd.words[1..]
            .iter()
            .filter(|v| url_like(&v.text))
            .cloned()
            .collect(),
        dest: None,
        insecure: None,
    }
}

/// A program the review does not know, handed a URL: it may fetch it (fail safe).
fn unknown_fetcher(at: &At<'_>) -> Option<Fetch> {
    let configures = at.words.get(1).is_some_and(|w| w == "config" || w == "env");
    if TEXT_ONLY.contains(&at.program)
        || configures
        || !at.cmd.words[0].is_literal()
        || super::installs::is_package_manager(at.words)
        || code::is_interpreter(at.program)
    {
        return None;
    }
    let urls: Vec<Value> = at.cmd.words[1..]
        .iter()
        .filter(|v| url_like(&v.text))
        .cloned()
        .collect();
    (!urls.is_empty()).then(|| Fetch {
        tool: format!("{} (given a URL; it may fetch it)", at.program),
        urls,
        dest: None,
        insecure: None,
    })
}

/// `host:path` or `user@host:path` (scp and rsync remotes).
fn remote_path(text: &str) -> bool {
    match text.split_once(':') {
        Some((host, _)) => {
            !host.is_empty() && !host.contains('/') && !host.contains('=') && host.len() > 1
        }
        None => false,
    }
}

/// The non-option words from `skip` on, skipping the values of options that take one.
fn positional(values: &[Value], skip: usize, program: &str) -> Vec<Value> {
    let curl = program == "curl";
    let mut out = Vec::new();
    let mut skip_next = false;
    for v in values.iter().skip(skip) {
        if skip_next {
            skip_next = false;
            continue;
        }
        let t = v.text.as_str();
        if t.starts_with('-') {
            let glued = t.len() > 2 && !t.starts_with("--");
            skip_next = if curl {
                CURL_VALUE_OPTIONS.contains(&t) || (glued && (t.ends_with('o') || t.ends_with('H')))
            } else {
                WGET_VALUE_OPTIONS.contains(&t) || (glued && (t.ends_with('O') || t.ends_with('P')))
            };
            continue;
        }
        out.push(v.clone());
    }
    out
}

/// `git clone` (and `fetch`, `pull`, `submodule`, `archive --remote`), global options allowed
/// before the subcommand.
fn git(at: &At<'_>) -> Option<Fetch> {
    let words = at.words;
    let mut i = 1;
    while let Some(w) = words.get(i).filter(|w| w.starts_with('-')) {
        i += if w == "-C" || w == "-c" { 2 } else { 1 };
    }
    let sub = words.get(i)?.as_str();
    if !matches!(
        sub,
        "clone" | "fetch" | "pull" | "submodule" | "ls-remote" | "archive"
    ) {
        return None;
    }
    let values = &at.cmd.words;
    let mut urls: Vec<Value> = values[i + 1..]
        .iter()
        .filter(|v| url_like(&v.text))
        .cloned()
        .collect();
    if urls.is_empty() && sub == "clone" {
        urls.extend(positional(values, i + 1, "git").into_iter().take(1));
    }
    let insecure = words
        .iter()
        .any(|w| w.to_ascii_lowercase().contains("sslverify=false"))
        .then_some("http.sslVerify=false");
    let dest = (sub == "clone").then(|| {
        words[i + 1..]
            .iter()
            .rfind(|w| {
                !w.starts_with('-') && !url_like(w) && !w.chars().all(|c| c.is_ascii_digit())
            })
            .cloned()
            .or_else(|| {
                urls.first()
                    .map(|u| url_basename(&u.text).trim_end_matches(".git").to_string())
            })
    });
    let dest = dest.flatten();
    Some(Fetch {
        tool: "git".into(),
        urls,
        dest,
        insecure,
    })
}

/// Where the tool's options say the download lands.
fn destination(at: &At<'_>) -> Option<String> {
    let At {
        words,
        program,
        cmd,
        ..
    } = *at;
    match program {
        "curl" => option_value(words, &["-o", "--output"])
            .map(str::to_string)
            .or_else(|| glued_last(words, 'o'))
            .or_else(|| cmd.writes.first().cloned()),
        "wget" | "wget2" => match option_value(words, &["-O", "--output-document"]) {
            Some("-") => cmd.writes.first().cloned(),
            Some(file) => Some(file.to_string()),
            None => option_value(words, &["-P", "--directory-prefix"])
                .map(|dir| format!("{}/", dir.trim_end_matches('/'))),
        },
        "aria2c" | "axel" | "fetch" => {
            option_value(words, &["-o", "--out", "--output"]).map(str::to_string)
        }
        _ => cmd.writes.first().cloned(),
    }
}

/// The default file name: curl `-O`, wget without `-O`, a wget `-P` directory.
fn default_dest(at: &At<'_>, url: &str) -> Option<String> {
    let name = url_basename(url);
    match at.program {
        "curl" => at
            .words
            .iter()
            .any(|w| {
                w == "-O"
                    || w == "--remote-name"
                    || (w.starts_with('-') && !w.starts_with("--") && w.contains('O'))
            })
            .then_some(name),
        "wget" | "wget2" => Some(name),
        _ => None,
    }
    .map(|n| match destination(at) {
        Some(dir) if dir.ends_with('/') => format!("{dir}{n}"),
        _ => n,
    })
}

/// The value of a short option that ends a cluster, as in curl's `-fsSLo FILE`.
fn glued_last(words: &[String], option: char) -> Option<String> {
    let position = words.iter().position(|w| {
        w.starts_with('-') && !w.starts_with("--") && w.len() > 2 && w.ends_with(option)
    })?;
    words.get(position + 1).cloned()
}

pub(crate) fn url_basename(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_string()
}

/// VR303: raw network connections (nc, socat, telnet, ssh, openssl s_client, /dev/tcp).
fn network(at: &At<'_>, facts: &mut RunFacts) {
    let Some((tool, target)) = network_tool(at) else {
        return;
    };
    facts.findings.push(Raw {
        rule: &rule::NETWORK,
        about: format!("{tool} {target}"),
        summary: format!("{tool} opens a network connection: {target}"),
        severity: Severity::High,
        check: rule::NETWORK.help.into(),
    });
}

/// The raw network tool this command runs (nc, socat, telnet, ssh, openssl s_client, bash's
/// /dev/tcp) and what it connects to.
fn network_tool(at: &At<'_>) -> Option<(String, String)> {
    let At { words, program, .. } = *at;
    let tcp = words
        .iter()
        .chain(at.cmd.writes.iter())
        .find(|w| w.contains("/dev/tcp/") || w.contains("/dev/udp/"));
    let tool = match program {
        "nc" | "ncat" | "netcat" | "socat" | "telnet" => Some(program.to_string()),
        "ssh" => Some("ssh".to_string()),
        "openssl" if words.get(1).is_some_and(|w| w == "s_client") => {
            Some("openssl s_client".to_string())
        }
        _ => tcp.map(|_| "bash /dev/tcp".to_string()),
    }?;
    let target = tcp.cloned().unwrap_or_else(|| {
        words[1..]
            .iter()
            .filter(|w| !w.starts_with('-'))
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    });
    Some((tool, target))
}

/// Whether command `index` of `script` fetches something or opens a connection (its output is
/// then reported by these rules, not as code of unknown origin).
pub(super) fn fetches(script: &Script, index: usize) -> bool {
    let cmd = &script.cmds[index];
    let words = cmd.texts();
    let program = super::program_name(cmd.program());
    let at = At {
        script,
        index,
        cmd,
        words: &words,
        program: &program,
        when: When::Build,
    };
    fetch(&at).is_some() || network_tool(&at).is_some() || words.iter().any(|w| url_like(w))
}

//! Package manager commands: which packages they install, whether versions are pinned, which
//! sources they install from, and which signature checks they switch off.

use crate::rules::{base, option_value};

/// What an install command installs, and from where.
pub(crate) struct Install {
    /// The package manager, e.g. `apt-get`, `pip`.
    pub manager: String,
    /// The packages named (a requirements file as `-r FILE`).
    pub packages: Vec<String>,
    /// Those not pinned to a version.
    pub unpinned: Vec<String>,
    /// Extra sources (index URLs, repositories) named on the command line.
    pub sources: Vec<String>,
    /// Flags that switch signature or TLS checks off.
    pub weakened: Vec<String>,
}

/// The packages of an install command, or `None` when `words` is not one.
pub(crate) fn packages(words: &[String]) -> Option<Install> {
    let program = base(words.first()?);
    let (manager, subcommands, args): (String, &[&str], &[String]) = match program {
        "apt-get" | "apt" | "aptitude" => (program.into(), &["install"], &words[1..]),
        "apk" => ("apk".into(), &["add"], &words[1..]),
        "yum" | "dnf" | "microdnf" | "zypper" | "tdnf" => {
            (program.into(), &["install", "in"], &words[1..])
        }
        "pip" | "pip3" => (program.into(), &["install"], &words[1..]),
        "python" | "python3"
            if words.get(1).map(String::as_str) == Some("-m")
                && words.get(2).is_some_and(|w| w.starts_with("pip")) =>
        {
            ("pip".into(), &["install"], &words[3..])
        }
        "npm" | "pnpm" => (program.into(), &["install", "i", "add"], &words[1..]),
        "yarn" => ("yarn".into(), &["add"], &words[1..]),
        "gem" => ("gem".into(), &["install"], &words[1..]),
        "go" => ("go".into(), &["install", "get"], &words[1..]),
        "cargo" => ("cargo".into(), &["install"], &words[1..]),
        _ => return None,
    };
    let position = args
        .iter()
        .position(|w| subcommands.contains(&w.as_str()))?;
    let rest = &args[position + 1..];
    let mut packages = Vec::new();
    let mut skip_next = false;
    let takes_value = [
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "-i",
        "--index-url",
        "--extra-index-url",
        "--trusted-host",
        "--registry",
        "-X",
        "--repository",
        "--source",
        "-v",
        "--version",
        "--vers",
        "--git",
        "--branch",
        "--tag",
        "--rev",
        "-o",
        "--target",
        "-t",
        "--prefix",
        "--root",
        "--repo",
    ];
    for word in rest {
        if skip_next {
            skip_next = false;
            continue;
        }
        if word.starts_with('-') {
            skip_next = takes_value.contains(&word.as_str());
            continue;
        }
        if word.is_empty() {
            continue;
        }
        packages.push(word.clone());
    }
    let pinned = |p: &String| -> bool {
        match manager.as_str() {
            "apt-get" | "apt" | "aptitude" | "apk" => p.contains('='),
            "pip" | "pip3" => p.contains("==") || p.contains(".whl") || p.contains("@ "),
            "npm" | "pnpm" | "yarn" => p[1..].contains('@'),
            "go" => p.contains('@') && !p.ends_with("@latest"),
            "gem" => p.contains(':') || option_value(rest, &["-v", "--version"]).is_some(),
            "cargo" => p.contains('@') || option_value(rest, &["--version", "--vers"]).is_some(),
            // rpm names carry versions as name-version: a dash followed by a digit.
            _ => p
                .char_indices()
                .any(|(i, c)| c == '-' && p[i + 1..].starts_with(|d: char| d.is_ascii_digit())),
        }
    };
    let unpinned: Vec<String> = packages.iter().filter(|p| !pinned(p)).cloned().collect();
    let mut sources = Vec::new();
    for name in [
        "-i",
        "--index-url",
        "--extra-index-url",
        "--registry",
        "-X",
        "--repository",
        "--source",
        "--git",
    ] {
        if let Some(value) = option_value(rest, &[name]) {
            sources.push(value.to_string());
        }
    }
    let mut weakened = Vec::new();
    for flag in [
        "--allow-unauthenticated",
        "--force-yes",
        "--allow-untrusted",
        "--nogpgcheck",
        "--no-gpg-checks",
        "--trusted-host",
        "--no-verify",
    ] {
        if rest
            .iter()
            .any(|w| w == flag || w.starts_with(&format!("{flag}=")))
        {
            weakened.push(flag.to_string());
        }
    }
    if let Some(file) = option_value(rest, &["-r", "--requirement"]) {
        packages.push(format!("-r {file}"));
    }
    Some(Install {
        manager,
        packages,
        unpinned,
        sources,
        weakened,
    })
}

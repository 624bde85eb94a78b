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

/// Options of the package managers that take a value (the value is not a package).
const TAKES_VALUE: [&str; 25] = [
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

/// Options that name where packages come from.
const SOURCES: [&str; 8] = [
    "-i",
    "--index-url",
    "--extra-index-url",
    "--registry",
    "-X",
    "--repository",
    "--source",
    "--git",
];

/// Options that switch signature or TLS checks off.
const WEAKENING: [&str; 7] = [
    "--allow-unauthenticated",
    "--force-yes",
    "--allow-untrusted",
    "--nogpgcheck",
    "--no-gpg-checks",
    "--trusted-host",
    "--no-verify",
];

/// The packages of an install command, or `None` when `words` is not one.
pub(crate) fn packages(words: &[String]) -> Option<Install> {
    let (manager, rest) = install_arguments(words)?;
    let mut packages = named_packages(rest);
    let unpinned: Vec<String> = packages
        .iter()
        .filter(|p| !pinned(&manager, p, rest))
        .cloned()
        .collect();
    let sources = SOURCES
        .iter()
        .filter_map(|name| option_value(rest, &[name]).map(str::to_string))
        .collect();
    let weakened = WEAKENING
        .iter()
        .filter(|flag| {
            rest.iter()
                .any(|w| w == *flag || w.starts_with(&format!("{flag}=")))
        })
        .map(|flag| flag.to_string())
        .collect();
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

/// The package manager and the words after its install subcommand, or `None` when `words` is
/// not an install.
fn install_arguments(words: &[String]) -> Option<(String, &[String])> {
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
    Some((manager, &args[position + 1..]))
}

/// The words that name packages: not options, not option values.
fn named_packages(rest: &[String]) -> Vec<String> {
    let mut packages = Vec::new();
    let mut skip_next = false;
    for word in rest {
        if skip_next {
            skip_next = false;
            continue;
        }
        if word.starts_with('-') {
            skip_next = TAKES_VALUE.contains(&word.as_str());
            continue;
        }
        if !word.is_empty() {
            packages.push(word.clone());
        }
    }
    packages
}

/// Whether `package` is pinned to a version, as `manager` writes versions.
fn pinned(manager: &str, p: &str, rest: &[String]) -> bool {
    match manager {
        "apt-get" | "apt" | "aptitude" | "apk" => p.contains('='),
        "pip" | "pip3" => p.contains("==") || p.contains(".whl") || p.contains("@ "),
        // A version after the name; a leading `@` is a scope. (By characters: the first one may
        // be more than one byte.)
        "npm" | "pnpm" | "yarn" => p.chars().skip(1).any(|c| c == '@'),
        "go" => p.contains('@') && !p.ends_with("@latest"),
        "gem" => p.contains(':') || option_value(rest, &["-v", "--version"]).is_some(),
        "cargo" => p.contains('@') || option_value(rest, &["--version", "--vers"]).is_some(),
        // rpm names carry versions as name-version: a dash followed by a digit.
        _ => p
            .char_indices()
            .any(|(i, c)| c == '-' && p[i + 1..].starts_with(|d: char| d.is_ascii_digit())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn npm_pins_and_scopes_and_a_multibyte_first_character() {
        let install = packages(&words("npm install @scope/a @scope/b@1.2.0 c@2 d é@1 ü")).unwrap();
        assert_eq!(install.unpinned, ["@scope/a", "d", "ü"]);
        // Found by the fuzzer: slicing at byte 1 of "é..." panicked.
        assert!(pinned("yarn", "é@1", &[]));
        assert!(!pinned("npm", "é", &[]));
    }
}

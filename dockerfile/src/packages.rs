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

/// Options (and option values) that switch signature or TLS checks off, found anywhere in the
/// command, compared without case.
const WEAKENING: [&str; 22] = [
    "--allow-unauthenticated",
    "--allow-insecure-repositories",
    "--allow-downgrades",
    "--force-yes",
    "--allow-untrusted",
    "--nogpgcheck",
    "--no-gpg-checks",
    "--gpg-auto-import-keys",
    "--nosignature",
    "--nodigest",
    "--nofiledigest",
    "--trusted-host",
    "--no-verify",
    "--insecure",
    "-insecure",
    "--strict-ssl=false",
    "--no-check-certificate",
    "allowunauthenticated",
    "allowinsecurerepositories",
    "gpgcheck=0",
    "sslverify=0",
    "sslverify=false",
];

/// The packages of an install command, or `None` when `words` is not one.
pub(crate) fn packages(words: &[String]) -> Option<Install> {
    let (manager, rest) = install_arguments(words)?;
    let mut packages = named_packages(&manager, rest);
    let unpinned: Vec<String> = packages
        .iter()
        .filter(|p| !pinned(&manager, p, rest))
        .cloned()
        .collect();
    let mut sources: Vec<String> = SOURCES
        .iter()
        .filter_map(|name| option_value(words, &[name]).map(str::to_string))
        .collect();
    sources.extend(
        packages
            .iter()
            .filter(|p| crate::rules::url_like(p))
            .cloned(),
    );
    if is_pip(&manager) {
        // pip's --find-links (-f): a URL is a source of packages; a directory in the image is
        // not (what is in it came from a COPY or a RUN the review reads).
        sources.extend(
            find_links(rest)
                .into_iter()
                .filter(|v| crate::rules::url_like(v))
                .map(str::to_string),
        );
    }
    if matches!(manager.as_str(), "conda" | "mamba" | "micromamba") {
        // conda's -c is a channel (pip's is a constraints file).
        sources.extend(option_value(rest, &["-c", "--channel"]).map(str::to_string));
    }
    let mut weakened: Vec<String> = Vec::new();
    for word in words {
        let lower = word.to_ascii_lowercase();
        if let Some(flag) = WEAKENING.iter().find(|f| {
            lower == **f
                || lower.starts_with(&format!("{f}="))
                || (f.contains('=') || !f.starts_with('-')) && lower.contains(*f)
        }) {
            if !weakened.iter().any(|w| w == flag) {
                weakened.push(flag.to_string());
            }
        }
    }
    if words.iter().any(|w| w.starts_with("http://")) && manager.starts_with("pip") {
        weakened.push("a plain-HTTP index".to_string());
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

/// Whether `words` run a package manager's install (or run a package straight from a
/// registry).
pub(crate) fn is_package_manager(words: &[String]) -> bool {
    install_arguments(words).is_some()
}

/// A program name without its version suffix: `pip3.12` is `pip`, `python3.12` is `python`.
fn family(program: &str) -> &str {
    program.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.')
}

/// The package manager and the words after its install subcommand, or `None` when `words` is
/// not an install.
fn install_arguments(words: &[String]) -> Option<(String, &[String])> {
    let program = base(words.first()?);
    let name = family(program);
    let after = |n: usize| words.get(n..).unwrap_or_default();
    let (manager, subcommands, args): (String, &[&str], &[String]) = match name {
        "apt-get" | "apt" | "aptitude" => (program.into(), &["install"], after(1)),
        "apk" => ("apk".into(), &["add"], after(1)),
        "yum" | "dnf" | "microdnf" | "zypper" | "tdnf" => (
            program.into(),
            &["install", "in", "localinstall", "reinstall"],
            after(1),
        ),
        "rpm" => return rpm(words),
        "dpkg" if words.iter().any(|w| w == "-i" || w == "--install") => {
            return Some(("dpkg".into(), after(1)));
        }
        "pacman"
            if words
                .iter()
                .any(|w| w.starts_with("-S") || w.starts_with("-U")) =>
        {
            return Some(("pacman".into(), after(2)));
        }
        "pip" | "pipx" | "easy_install" => (name.into(), &["install", "run", "download"], after(1)),
        "python" | "pypy"
            if words.get(1).map(String::as_str) == Some("-m")
                && words.get(2).is_some_and(|w| family(w) == "pip") =>
        {
            ("pip".into(), &["install", "download"], after(3))
        }
        "uv" if words.get(1).is_some_and(|w| w == "pip") => {
            ("uv pip".into(), &["install"], after(2))
        }
        "uv" => ("uv".into(), &["add", "install", "run"], after(1)),
        "uvx" | "npx" | "pnpx" | "bunx" => return Some((format!("{name} (runs it)"), after(1))),
        "poetry" => ("poetry".into(), &["add"], after(1)),
        "conda" | "mamba" | "micromamba" => (name.into(), &["install", "create"], after(1)),
        "npm" | "pnpm" | "bun" => (
            program.into(),
            &["install", "i", "add", "dlx", "exec", "x"],
            after(1),
        ),
        "yarn" => ("yarn".into(), &["add", "dlx"], after(1)),
        "gem" => ("gem".into(), &["install"], after(1)),
        "go" => ("go".into(), &["install", "get", "run"], after(1)),
        "cargo" => ("cargo".into(), &["install", "binstall"], after(1)),
        "composer" => ("composer".into(), &["require", "install"], after(1)),
        "brew" | "snap" | "opam" | "luarocks" | "cpanm" => (name.into(), &["install"], after(1)),
        "dotnet" => ("dotnet tool".into(), &["install"], after(2)),
        _ => return None,
    };
    let position = args
        .iter()
        .position(|w| subcommands.contains(&w.as_str()))?;
    let rest = &args[position + 1..];
    if manager == "go" && args[position] == "run" && !rest.iter().any(|w| w.contains('@')) {
        return None;
    }
    Some((manager, rest))
}

/// `rpm -i`/`-U`/`-F` (and `-ivh`, `--install`, `--upgrade`): the packages are files or URLs.
fn rpm(words: &[String]) -> Option<(String, &[String])> {
    let installs = words.iter().skip(1).any(|w| {
        w == "--install"
            || w == "--upgrade"
            || w == "--freshen"
            || (w.starts_with('-') && !w.starts_with("--") && w.contains(['i', 'U', 'F']))
    });
    installs.then(|| ("rpm".to_string(), words.get(1..).unwrap_or_default()))
}

/// Whether `manager` is pip (or uv's pip), whose `-f` is `--find-links` and takes a value.
fn is_pip(manager: &str) -> bool {
    manager.starts_with("pip") || manager.starts_with("uv")
}

/// Every value of pip's `--find-links` / `-f` (separate, `=`, or glued to `-f`).
fn find_links(rest: &[String]) -> Vec<&str> {
    let mut values = Vec::new();
    let mut words = rest.iter();
    while let Some(word) = words.next() {
        if word == "--find-links" || word == "-f" {
            values.extend(words.next().map(String::as_str));
        } else if let Some(value) = word.strip_prefix("--find-links=") {
            values.push(value);
        } else if let Some(value) = word.strip_prefix("-f").filter(|v| !v.is_empty()) {
            values.push(value);
        }
    }
    values
}

/// The words that name packages: not options, not option values.
fn named_packages(manager: &str, rest: &[String]) -> Vec<String> {
    let mut packages = Vec::new();
    let mut skip_next = false;
    for word in rest {
        if skip_next {
            skip_next = false;
            continue;
        }
        if word.starts_with('-') {
            skip_next = TAKES_VALUE.contains(&word.as_str())
                || (is_pip(manager) && (word == "-f" || word == "--find-links"));
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
        "apt-get" | "apt" | "aptitude" | "apk" | "conda" | "mamba" | "micromamba" => {
            p.contains('=')
        }
        m if m.starts_with("pip") || m.starts_with("uv") || m == "poetry" => {
            p.contains("==") || p.contains(".whl") || p.contains("@ ")
        }
        // A version after the name; a leading `@` is a scope. (By characters: the first one may
        // be more than one byte.)
        "npm" | "pnpm" | "yarn" | "bun" => p.chars().skip(1).any(|c| c == '@'),
        m if m.ends_with("(runs it)") => {
            p.chars().skip(1).any(|c| c == '@') && !p.ends_with("@latest")
        }
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

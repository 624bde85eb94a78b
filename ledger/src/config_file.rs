//! Config files (TOML) for vouch and vouchd, read with the line of every key, so that an
//! unknown key or a bad value is an error naming the file, the line and the key. Each binary
//! says which keys it knows and of what kind, and maps them onto its flags' defaults, so the
//! precedence is the same everywhere: built-in default < config file < `VOUCH_*` environment
//! < flag. Here because vouch and vouchd both depend on this crate (as for `paths`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::Spanned;

/// What a key holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A path; a relative one is taken from the config file's directory.
    Path,
    /// A list of paths.
    Paths,
    /// A string.
    Text,
    /// A list of strings.
    Texts,
    /// A whole number, zero or more.
    Count,
}

/// One setting from the file, its value as the text a flag would carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    /// The key.
    pub key: String,
    /// The value(s), as flag values.
    pub values: Vec<String>,
    /// Its line in the file (from 1).
    pub line: usize,
}

/// A config file read and checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its settings, in the file's order.
    pub settings: Vec<Setting>,
}

impl ConfigFile {
    /// The setting for `key`, if the file has it.
    pub fn get(&self, key: &str) -> Option<&Setting> {
        self.settings.iter().find(|s| s.key == key)
    }
}

/// A config file that cannot be used: where, and why.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{path}:{line}: {key}{message}")]
pub struct ConfigError {
    /// The file.
    pub path: String,
    /// The line (0 when the file could not be read at all).
    pub line: usize,
    /// `` `key`: `` when the problem is one key's, else empty.
    pub key: String,
    /// What is wrong, and what to do.
    pub message: String,
}

/// Reads the config file at `path`, knowing the keys in `known`. `Ok(None)` when there is no
/// such file.
pub fn read(path: &Path, known: &[(&str, Kind)]) -> Result<Option<ConfigFile>, ConfigError> {
    let name = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ConfigError {
                path: name,
                line: 0,
                key: String::new(),
                message: format!("cannot be read: {e}"),
            })
        }
    };
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let table: BTreeMap<Spanned<String>, Spanned<toml::Value>> =
        toml::from_str(&text).map_err(|e| ConfigError {
            path: name.clone(),
            line: e.span().map_or(1, |s| line_of(s.start)),
            key: String::new(),
            message: format!("not TOML: {}", e.message()),
        })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut settings = Vec::new();
    for (key, value) in table {
        let line = line_of(key.span().start);
        let fail = |message: String| ConfigError {
            path: name.clone(),
            line,
            key: format!("`{}`: ", key.get_ref()),
            message,
        };
        let Some((_, kind)) = known.iter().find(|(k, _)| k == key.get_ref()) else {
            let names: Vec<&str> = known.iter().map(|(k, _)| *k).collect();
            return Err(fail(format!(
                "unknown key; the keys are {}",
                names.join(", ")
            )));
        };
        let values = values_of(value.get_ref(), *kind, base).map_err(fail)?;
        settings.push(Setting {
            key: key.into_inner(),
            values,
            line,
        });
    }
    settings.sort_by_key(|s| s.line);
    Ok(Some(ConfigFile {
        path: path.to_path_buf(),
        settings,
    }))
}

/// A value as flag values, if it is of `kind`.
fn values_of(value: &toml::Value, kind: Kind, base: &Path) -> Result<Vec<String>, String> {
    let text = |v: &toml::Value| v.as_str().map(str::to_string);
    let path = |v: &toml::Value| text(v).map(|p| base.join(p).display().to_string());
    let list = |each: &dyn Fn(&toml::Value) -> Option<String>| {
        value
            .as_array()
            .and_then(|items| items.iter().map(each).collect::<Option<Vec<_>>>())
    };
    let found = match kind {
        Kind::Path => path(value).map(|p| vec![p]),
        Kind::Text => text(value).map(|t| vec![t]),
        Kind::Paths => list(&path),
        Kind::Texts => list(&text),
        Kind::Count => value
            .as_integer()
            .filter(|n| *n >= 0)
            .map(|n| vec![n.to_string()]),
    };
    found.ok_or_else(|| {
        let wanted = match kind {
            Kind::Path => "a path (a string)",
            Kind::Text => "a string",
            Kind::Paths => "a list of paths, e.g. [\"a.pub\", \"b.pub\"]",
            Kind::Texts => "a list of strings",
            Kind::Count => "a whole number, 0 or more",
        };
        format!("expected {wanted}, found {}", value.type_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[(&str, Kind)] = &[
        ("socket", Kind::Path),
        ("trusted_keys", Kind::Paths),
        ("engine", Kind::Text),
        ("audit_interval", Kind::Count),
    ];

    fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn reads_settings_with_their_lines_and_paths_from_the_file() {
        let (dir, path) = file("# vouch\nsocket = \"run/v.sock\"\n\ntrusted_keys = [\"/k/a.pub\", \"b.pub\"]\naudit_interval = 60\n");
        let config = read(&path, KNOWN).unwrap().unwrap();
        let socket = config.get("socket").unwrap();
        assert_eq!(socket.line, 2);
        assert_eq!(
            socket.values,
            [dir.path().join("run/v.sock").display().to_string()]
        );
        let keys = config.get("trusted_keys").unwrap();
        assert_eq!((keys.line, keys.values[0].as_str()), (4, "/k/a.pub"));
        assert_eq!(config.get("audit_interval").unwrap().values, ["60"]);
        assert_eq!(read(&dir.path().join("none.toml"), KNOWN).unwrap(), None);
    }

    #[test]
    fn an_unknown_key_a_bad_value_or_bad_toml_names_the_file_line_and_key() {
        for (text, line, says) in [
            (
                "socket = \"a\"\nsokcet = \"b\"\n",
                2,
                "`sokcet`: unknown key",
            ),
            (
                "engine = 3\n",
                1,
                "`engine`: expected a string, found integer",
            ),
            (
                "\naudit_interval = -1\n",
                2,
                "`audit_interval`: expected a whole number",
            ),
            (
                "trusted_keys = \"a.pub\"\n",
                1,
                "`trusted_keys`: expected a list of paths",
            ),
            ("socket = \n", 1, "not TOML"),
        ] {
            let (_dir, path) = file(text);
            let err = read(&path, KNOWN).unwrap_err();
            assert_eq!(err.line, line, "{text}: {err}");
            let shown = err.to_string();
            assert!(shown.contains(&format!("config.toml:{line}: ")), "{shown}");
            assert!(shown.contains(says), "{shown}");
        }
    }
}

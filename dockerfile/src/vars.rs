//! Build arguments and environment variables as BuildKit scopes and substitutes them: global
//! ARGs (before the first FROM) are seen by FROM lines only, and inside a stage only once it
//! declares them again (`ARG NAME`); a stage built FROM another stage inherits its ENV but not
//! its ARGs; ENV wins over an ARG of the same name; the platform arguments (`TARGETARCH`, ...) are
//! set by the builder. Substitution is BuildKit's word lexer: quotes, the escape character,
//! `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}`, `${NAME+word}`,
//! `${NAME:?msg}` and the `#`, `%` and `/` operators.
//!
//! Written by hand: no crate implements Docker's (not the shell's) rules. A variable the review
//! cannot know is never silently empty: it stays in the text as `${NAME}` and is reported with
//! the reason (a build argument without a default, or a name the Dockerfile does not set).

use std::collections::BTreeMap;

/// The arguments the builder sets itself.
pub(crate) const PLATFORM_ARGS: [&str; 8] = [
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

/// Variables in scope at one point of the Dockerfile.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scope {
    /// Declared ARGs: a value, or `None` for an argument without a default and not given.
    pub(crate) args: BTreeMap<String, Option<String>>,
    /// ENV values (win over ARGs).
    pub(crate) env: BTreeMap<String, String>,
}

/// Why a variable's value is not known to the review.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Why {
    /// A build argument without a default: whoever runs the build decides.
    NoDefault,
    /// Not set anywhere in the Dockerfile (the base image's environment, or nothing).
    Undefined,
    /// Set by the builder for the platform it builds.
    Platform,
}

/// A variable the review could not resolve.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Unresolved {
    /// Its name.
    pub(crate) name: String,
    /// Why.
    pub(crate) why: Why,
}

impl Unresolved {
    /// How a finding says it.
    pub(crate) fn describe(&self) -> String {
        match self.why {
            Why::NoDefault => format!("build argument {} (no default)", self.name),
            Why::Undefined => format!(
                "{}, which the Dockerfile does not set (the base image's environment?)",
                self.name
            ),
            Why::Platform => format!("{} (the build platform)", self.name),
        }
    }
}

/// A value after substitution, with what could not be resolved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Expanded {
    /// The text; unresolved variables appear as `${NAME}`.
    pub(crate) text: String,
    /// The variables that could not be resolved.
    pub(crate) unresolved: Vec<Unresolved>,
}

/// The result of a lookup.
pub(crate) enum Lookup<'a> {
    /// A known value.
    Value(&'a str),
    /// Not known, and why.
    Unknown(Why),
}

impl Scope {
    /// The global scope: the platform arguments are set.
    pub(crate) fn global() -> Self {
        let mut scope = Scope::default();
        for name in PLATFORM_ARGS {
            scope.args.insert(name.to_string(), None);
        }
        scope
    }

    /// The value of `name`.
    pub(crate) fn get(&self, name: &str) -> Lookup<'_> {
        if let Some(value) = self.env.get(name) {
            return Lookup::Value(value);
        }
        match self.args.get(name) {
            Some(Some(value)) => Lookup::Value(value),
            Some(None) if PLATFORM_ARGS.contains(&name) => Lookup::Unknown(Why::Platform),
            Some(None) => Lookup::Unknown(Why::NoDefault),
            None => Lookup::Unknown(Why::Undefined),
        }
    }

    /// Whether `name` is set to a known, non-empty value.
    fn is_set(&self, name: &str) -> Option<bool> {
        match self.get(name) {
            Lookup::Value(v) => Some(!v.is_empty()),
            Lookup::Unknown(Why::Undefined) => Some(false),
            Lookup::Unknown(_) => None,
        }
    }
}

/// Substitutes variables in one word of an instruction, removing quotes and escapes.
pub(crate) fn expand(text: &str, escape: char, scope: &Scope) -> Expanded {
    let mut lexer = Lexer {
        chars: text.chars().collect(),
        at: 0,
        escape,
        scope,
        out: Expanded::default(),
    };
    lexer.word(None);
    lexer.out
}

/// Splits an instruction's arguments into words (quotes respected) and substitutes each.
pub(crate) fn expand_words(text: &str, escape: char, scope: &Scope) -> Vec<Expanded> {
    raw_words(text, escape)
        .iter()
        .map(|w| expand(w, escape, scope))
        .collect()
}

/// The `NAME=value` (or legacy `NAME value`) arguments of ENV, ARG and LABEL, values
/// substituted; a bare `NAME` (an ARG without a default) has `None`.
pub(crate) fn assignments(
    text: &str,
    escape: char,
    scope: &Scope,
) -> Vec<(String, Option<Expanded>)> {
    let words = raw_words(text, escape);
    match words.first() {
        Some(first) if !first.contains('=') && words.len() > 1 => {
            let rest = text.trim_start()[first.len()..].trim_start();
            vec![(first.clone(), Some(expand(rest, escape, scope)))]
        }
        _ => words
            .into_iter()
            .map(|w| match w.split_once('=') {
                Some((k, v)) => (k.to_string(), Some(expand(v, escape, scope))),
                None => (w, None),
            })
            .collect(),
    }
}

/// Whitespace-separated words with quotes and escapes kept (BuildKit's `parseWords`).
fn raw_words(text: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    let mut in_word = false;
    while let Some(c) = chars.next() {
        if quote.is_none() && c.is_whitespace() {
            if in_word {
                words.push(std::mem::take(&mut word));
                in_word = false;
            }
            continue;
        }
        in_word = true;
        word.push(c);
        if c == escape && quote != Some('\'') {
            if let Some(n) = chars.next() {
                word.push(n);
            }
            continue;
        }
        match quote {
            None if c == '\'' || c == '"' => quote = Some(c),
            Some(q) if q == c => quote = None,
            _ => {}
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

struct Lexer<'a> {
    chars: Vec<char>,
    at: usize,
    escape: char,
    scope: &'a Scope,
    out: Expanded,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek();
        self.at += 1;
        c
    }

    /// Reads up to the end, or up to `stop` (outside quotes) for the word of a `${...}`.
    fn word(&mut self, stop: Option<char>) {
        while let Some(c) = self.peek() {
            if Some(c) == stop {
                return;
            }
            self.at += 1;
            match c {
                '\'' => {
                    while let Some(q) = self.bump() {
                        if q == '\'' {
                            break;
                        }
                        self.out.text.push(q);
                    }
                }
                '"' => self.double_quoted(),
                '$' => self.dollar(),
                _ if c == self.escape => {
                    if let Some(n) = self.bump() {
                        self.out.text.push(n);
                    }
                }
                _ => self.out.text.push(c),
            }
        }
    }

    fn double_quoted(&mut self) {
        while let Some(c) = self.bump() {
            match c {
                '"' => return,
                '$' => self.dollar(),
                _ if c == self.escape && matches!(self.peek(), Some('"' | '$')) => {
                    let n = self.bump().unwrap_or(c);
                    self.out.text.push(n);
                }
                _ if c == self.escape && self.peek() == Some(self.escape) => {
                    self.at += 1;
                    self.out.text.push(c);
                }
                _ => self.out.text.push(c),
            }
        }
    }

    fn dollar(&mut self) {
        match self.peek() {
            Some('{') => {
                self.at += 1;
                self.braced();
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let name = self.name();
                self.substitute(&name);
            }
            _ => self.out.text.push('$'),
        }
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self
            .peek()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        {
            name.push(c);
            self.at += 1;
        }
        name
    }

    fn substitute(&mut self, name: &str) {
        match self.scope.get(name) {
            Lookup::Value(v) => self.out.text.push_str(v),
            Lookup::Unknown(why) => self.unknown(name, why),
        }
    }

    fn unknown(&mut self, name: &str, why: Why) {
        self.out.text.push_str(&format!("${{{name}}}"));
        let unresolved = Unresolved {
            name: name.to_string(),
            why,
        };
        if !self.out.unresolved.contains(&unresolved) {
            self.out.unresolved.push(unresolved);
        }
    }

    /// `${...}`: a name, then an operator and its word, up to the closing brace.
    fn braced(&mut self) {
        let name = self.name();
        let op: String = match self.peek() {
            Some(':') => {
                self.at += 1;
                format!(":{}", self.bump().unwrap_or('}'))
            }
            Some('}') | None => String::new(),
            Some(c) => {
                self.at += 1;
                c.to_string()
            }
        };
        if op.is_empty() {
            self.at += 1;
            return self.substitute(&name);
        }
        let (argument, unresolved) = self.operand();
        // A build argument without a default is unset unless the builder passes it: a
        // default in the text is what the review reads.
        let no_default = matches!(self.scope.get(&name), Lookup::Unknown(Why::NoDefault));
        let set = match op.as_str() {
            ":-" | "-" if no_default => Some(false),
            ":-" | ":+" | ":?" => self.scope.is_set(&name),
            _ => self.scope.is_set(&name).map(|_| self.is_declared(&name)),
        };
        match (op.as_str(), set) {
            (":-" | "-" | ":?" | "?", Some(false)) => self.take(argument, unresolved),
            (":+" | "+", Some(true)) => self.take(argument, unresolved),
            (":+" | "+", Some(false)) => {}
            (":+" | "+", None) => self.unknown(&name, self.why(&name)),
            _ => self.substitute(&name),
        }
    }

    fn is_declared(&self, name: &str) -> bool {
        self.scope.env.contains_key(name) || self.scope.args.contains_key(name)
    }

    fn why(&self, name: &str) -> Why {
        match self.scope.get(name) {
            Lookup::Unknown(why) => why,
            Lookup::Value(_) => Why::Undefined,
        }
    }

    /// The word after an operator, substituted, up to the closing brace.
    fn operand(&mut self) -> (String, Vec<Unresolved>) {
        let saved = std::mem::take(&mut self.out);
        self.word(Some('}'));
        self.at += 1;
        let operand = std::mem::replace(&mut self.out, saved);
        (operand.text, operand.unresolved)
    }

    fn take(&mut self, text: String, unresolved: Vec<Unresolved>) {
        self.out.text.push_str(&text);
        for u in unresolved {
            if !self.out.unresolved.contains(&u) {
                self.out.unresolved.push(u);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> Scope {
        let mut scope = Scope::default();
        scope.args.insert("V".into(), Some("1.2".into()));
        scope.args.insert("E".into(), Some(String::new()));
        scope.args.insert("NODEF".into(), None);
        scope.env.insert("V".into(), "env-wins".into());
        scope
    }

    #[test]
    fn docker_substitution_rules() {
        let s = scope();
        assert_eq!(expand("app:$V", '\\', &s).text, "app:env-wins");
        assert_eq!(
            expand(
                "${E:-def} ${MISSING:-d2} ${V:+yes} ${E:+no} ${E-dash}",
                '\\',
                &s
            )
            .text,
            "def d2 yes  "
        );
        assert_eq!(
            expand("\\$V $ '$V' \"$V\"", '\\', &s).text,
            "$V $ $V env-wins"
        );
        assert_eq!(expand("`$V", '`', &s).text, "$V");
    }

    #[test]
    fn unknown_values_stay_visible_with_their_reason() {
        let s = scope();
        let url = expand("https://example.com/${NODEF}/$NOPE/x", '\\', &s);
        assert_eq!(url.text, "https://example.com/${NODEF}/${NOPE}/x");
        assert_eq!(
            url.unresolved,
            vec![
                Unresolved {
                    name: "NODEF".into(),
                    why: Why::NoDefault
                },
                Unresolved {
                    name: "NOPE".into(),
                    why: Why::Undefined
                }
            ]
        );
        // A default makes the value known.
        assert!(expand("${NODEF:-1}", '\\', &s).unresolved.is_empty());
        let platform = expand("$TARGETARCH", '\\', &Scope::global());
        assert_eq!(platform.unresolved[0].why, Why::Platform);
    }

    #[test]
    fn assignments_handle_both_forms() {
        let s = Scope::default();
        let got: Vec<(String, Option<String>)> = assignments("A=1 B=\"two words\" C", '\\', &s)
            .into_iter()
            .map(|(k, v)| (k, v.map(|v| v.text)))
            .collect();
        assert_eq!(
            got,
            vec![
                ("A".into(), Some("1".into())),
                ("B".into(), Some("two words".into())),
                ("C".into(), None)
            ]
        );
        let legacy = assignments("PATH /usr/bin:/bin x", '\\', &s);
        assert_eq!(legacy[0].0, "PATH");
        assert_eq!(legacy[0].1.as_ref().unwrap().text, "/usr/bin:/bin x");
    }
}

//! Shell words: quotes removed, `$'...'` decoded, variables substituted from the script's own
//! assignments and the Dockerfile's ARG and ENV, and command substitutions walked as code.

use brush_parser::word::{
    Parameter, ParameterExpr, ParameterTestType, WordPiece, WordPieceWithSource,
};

use super::{Via, Walker};
use crate::vars::{Lookup, Unresolved, Why};

/// A word's value as far as the review can know it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Value {
    /// The text: what the shell would see where known, `$(...)` or `${NAME}` where not.
    pub(crate) text: String,
    /// The commands whose output is part of it (`$(...)`, backticks, `<(...)`).
    pub(crate) from: Vec<usize>,
    /// The Dockerfile variables it uses that the review cannot know.
    pub(crate) unresolved: Vec<Unresolved>,
    /// Whether some part is decided only when the build runs.
    pub(crate) opaque: bool,
}

impl Value {
    /// A known text.
    pub(crate) fn literal(text: &str) -> Self {
        Value {
            text: text.to_string(),
            ..Value::default()
        }
    }

    /// A text decided only when the build runs.
    pub(crate) fn opaque(text: &str) -> Self {
        Value {
            text: text.to_string(),
            opaque: true,
            ..Value::default()
        }
    }

    /// `NAME=value` as one word.
    pub(crate) fn assignment(name: &str, value: &Value) -> Self {
        Value {
            text: format!("{name}={}", value.text),
            ..value.clone()
        }
    }

    /// Whether the whole value is known to the review.
    pub(crate) fn is_literal(&self) -> bool {
        self.from.is_empty() && self.unresolved.is_empty() && !self.opaque
    }

    /// The fields of an unquoted expansion (as a `for` loop splits its list).
    pub(crate) fn split_fields(self) -> Vec<Value> {
        self.text
            .split_whitespace()
            .map(|field| Value {
                text: field.to_string(),
                ..self.clone()
            })
            .collect()
    }

    fn push(&mut self, other: Value) {
        self.text.push_str(&other.text);
        self.from.extend(other.from);
        for u in other.unresolved {
            if !self.unresolved.contains(&u) {
                self.unresolved.push(u);
            }
        }
        self.opaque |= other.opaque;
    }
}

/// Variables every shell has: used freely, never a finding.
const SHELL_VARIABLES: [&str; 18] = [
    "HOME",
    "PATH",
    "PWD",
    "OLDPWD",
    "HOSTNAME",
    "USER",
    "SHELL",
    "IFS",
    "TERM",
    "LANG",
    "UID",
    "EUID",
    "PPID",
    "RANDOM",
    "SECONDS",
    "LINENO",
    "BASH_VERSION",
    "REPLY",
];

impl Walker<'_> {
    /// The value of a word.
    pub(super) fn word(&mut self, word: &brush_parser::ast::Word) -> Value {
        let options = brush_parser::ParserOptions::default();
        if super::parse::word_would_panic(&word.value) {
            return Value::opaque(&word.value);
        }
        match brush_parser::word::parse(&word.value, &options) {
            Ok(pieces) => self.pieces(pieces),
            // Kept as written: whatever it contains stays visible to the checks.
            Err(_) => Value::opaque(&word.value),
        }
    }

    /// The value of a here-document body whose terminator was not quoted.
    pub(super) fn heredoc_body(&mut self, body: &str) -> Value {
        let options = brush_parser::ParserOptions::default();
        match brush_parser::word::parse_heredoc(body, &options) {
            Ok(pieces) => self.pieces(pieces),
            Err(_) => Value::opaque(body),
        }
    }

    fn pieces(&mut self, pieces: Vec<WordPieceWithSource>) -> Value {
        let mut value = Value::default();
        for piece in pieces {
            let part = match piece.piece {
                WordPiece::Text(text) | WordPiece::SingleQuotedText(text) => Value::literal(&text),
                WordPiece::AnsiCQuotedText(text) => Value::literal(&ansi_c(&text)),
                WordPiece::DoubleQuotedSequence(inner)
                | WordPiece::GettextDoubleQuotedSequence(inner) => self.pieces(inner),
                WordPiece::TildeExpansion(_) => Value::literal("~"),
                WordPiece::ParameterExpansion(expr) => self.parameter(&expr),
                WordPiece::CommandSubstitution(code)
                | WordPiece::BackquotedCommandSubstitution(code) => {
                    let display = format!("$({code})");
                    self.substitution(|w| w.script(&code, false), &display)
                }
                WordPiece::EscapeSequence(text) => {
                    Value::literal(text.strip_prefix('\\').unwrap_or(&text))
                }
                WordPiece::ArithmeticExpression(expr) => {
                    Value::opaque(&format!("$(({}))", expr.value))
                }
            };
            value.push(part);
        }
        value
    }

    /// Walks the code of a substitution (`$(...)`, `<(...)`) and gives a value made of its
    /// output.
    pub(super) fn substitution(&mut self, walk: impl FnOnce(&mut Self), display: &str) -> Value {
        let first = self.out.cmds.len();
        let saved_stdin = self.stdin.take();
        let saved_via = std::mem::replace(&mut self.via, Via::Substitution);
        walk(self);
        self.via = saved_via;
        self.stdin = saved_stdin;
        Value {
            text: display.to_string(),
            from: (first..self.out.cmds.len()).collect(),
            unresolved: Vec::new(),
            opaque: true,
        }
    }

    fn parameter(&mut self, expr: &ParameterExpr) -> Value {
        match expr {
            ParameterExpr::Parameter { parameter, .. } => self.lookup(parameter),
            ParameterExpr::UseDefaultValues {
                parameter,
                test_type,
                default_value,
                ..
            }
            | ParameterExpr::AssignDefaultValues {
                parameter,
                test_type,
                default_value,
                ..
            } => {
                let value = self.lookup(parameter);
                let empty = value.is_literal() && value.text.is_empty();
                let unset = value
                    .unresolved
                    .iter()
                    .any(|u| matches!(u.why, Why::Undefined | Why::NoDefault));
                let use_default = unset
                    || (empty && matches!(test_type, ParameterTestType::UnsetOrNull))
                    || (value.text.is_empty() && !value.is_literal());
                match default_value {
                    Some(default) if use_default => {
                        self.forget(&value);
                        self.text_value(default)
                    }
                    _ => value,
                }
            }
            ParameterExpr::UseAlternativeValue {
                parameter,
                alternative_value,
                ..
            } => {
                let value = self.lookup(parameter);
                match (value.is_literal(), value.text.is_empty()) {
                    (true, true) => Value::default(),
                    (true, false) => {
                        self.text_value(alternative_value.as_deref().unwrap_or_default())
                    }
                    _ => value,
                }
            }
            ParameterExpr::IndicateErrorIfNullOrUnset { parameter, .. }
            | ParameterExpr::RemoveSmallestSuffixPattern { parameter, .. }
            | ParameterExpr::RemoveLargestSuffixPattern { parameter, .. }
            | ParameterExpr::RemoveSmallestPrefixPattern { parameter, .. }
            | ParameterExpr::RemoveLargestPrefixPattern { parameter, .. } => {
                // The value itself (patterns not applied): what it names stays visible.
                self.lookup(parameter)
            }
            _ => Value::opaque("${...}"),
        }
    }

    /// The value of a word given as text (a default or an alternative).
    fn text_value(&mut self, text: &str) -> Value {
        let word = brush_parser::ast::Word {
            value: text.to_string(),
            loc: None,
        };
        self.word(&word)
    }

    /// Takes back the unresolved variables of a value a default replaced.
    fn forget(&mut self, value: &Value) {
        self.out
            .unresolved
            .retain(|u| !value.unresolved.contains(u));
    }

    fn lookup(&mut self, parameter: &Parameter) -> Value {
        let Parameter::Named(name) = parameter else {
            return Value::opaque(&parameter.to_string());
        };
        if let Some(value) = self.locals.get(name) {
            return value.clone();
        }
        let why = match self.scope.get(name) {
            Lookup::Value(v) => return Value::literal(v),
            Lookup::Unknown(why) => why,
        };
        let shown = format!("${{{name}}}");
        if why == Why::Undefined && SHELL_VARIABLES.contains(&name.as_str()) {
            return Value::opaque(&shown);
        }
        let unresolved = Unresolved {
            name: name.clone(),
            why,
        };
        if !self.out.unresolved.contains(&unresolved) {
            self.out.unresolved.push(unresolved.clone());
        }
        Value {
            text: shown,
            unresolved: vec![unresolved],
            ..Value::default()
        }
    }
}

/// Decodes a `$'...'` string: `\n`, `\t`, `\\`, `\'`, `\"`, `\xHH`, `\NNN` (octal), `\uHHHH`.
/// An author can spell `curl` as `$'\x63\x75\x72\x6c'`; the review reads what the shell runs.
pub(crate) fn ansi_c(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(n) = chars.next() else {
            out.push('\\');
            break;
        };
        let (radix, max) = match n {
            'x' => (16, 2),
            'u' => (16, 4),
            'U' => (16, 8),
            '0'..='7' => (8, 2),
            _ => {
                out.push(match n {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'e' | 'E' => '\u{1b}',
                    'a' => '\u{7}',
                    other => other,
                });
                continue;
            }
        };
        let mut digits = String::new();
        if radix == 8 {
            digits.push(n);
        }
        while digits.len() < max + usize::from(radix == 8) {
            match chars.peek() {
                Some(d) if d.is_digit(radix) => {
                    digits.push(*d);
                    chars.next();
                }
                _ => break,
            }
        }
        match u32::from_str_radix(&digits, radix)
            .ok()
            .and_then(char::from_u32)
        {
            Some(decoded) => out.push(decoded),
            None => out.push_str(&digits),
        }
    }
    out
}

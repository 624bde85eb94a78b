//! Reading a Dockerfile into instructions exactly as BuildKit's front end does (its
//! `frontend/dockerfile/parser`): parser directives (`# escape=`, `# syntax=`, `# check=`) only
//! before anything else, a byte-order mark dropped, CRLF endings, continuation by the escape
//! character followed only by spaces or tabs, comment and empty lines skipped inside a
//! continuation (continuation lines keep their leading whitespace), flags (`--name=value`) before
//! the arguments, JSON (exec) form when the arguments start with a JSON array of strings (anything
//! after it ignored, as Go's decoder does), and heredocs on RUN, COPY and ADD (also inside
//! ONBUILD) wherever a word of the line is `<<WORD`, `<<-WORD` or `N<<WORD`, read after the line.
//!
//! Written here rather than taken from the parse-dockerfile crate, which differed from BuildKit
//! on continuations with comments or empty lines inside, trailing spaces after the escape
//! character and heredocs that do not start the command (`RUN python3 <<PY`): a review that
//! reads a different file than the builder runs is the evasion this module exists to prevent.

use thiserror::Error;

/// Why BuildKit would refuse the file (and so does the review).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}: {message}")]
pub struct FrontendError {
    /// The line it concerns (1-based).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// One instruction as BuildKit reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// The keyword, lower case (`run`, `from`, ...).
    pub keyword: String,
    /// The line it starts on (1-based).
    pub line: usize,
    /// Its flags (`--mount=...`), in order, without the leading `--`.
    pub flags: Vec<Flag>,
    /// Its arguments.
    pub args: Args,
    /// Heredocs attached to it, in order.
    pub heredocs: Vec<Heredoc>,
    /// The instruction's line with continuations joined.
    pub original: String,
    /// For ONBUILD: the instruction it holds.
    pub trigger: Option<Box<Instruction>>,
}

/// A `--name[=value]` flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Its name, without `--`.
    pub name: String,
    /// Its value, quotes removed.
    pub value: Option<String>,
}

/// The arguments of an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Args {
    /// Exec form: a JSON array of strings.
    Json(Vec<String>),
    /// Shell form: the text, trimmed.
    Text(String),
}

/// A here-document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The terminator, quotes removed.
    pub name: String,
    /// Whether variables in the body are expanded (the terminator was not quoted).
    pub expand: bool,
    /// `<<-`: leading tabs are removed.
    pub chomp: bool,
    /// The file descriptor it feeds (0 unless written `N<<`).
    pub fd: u32,
    /// The body, line endings kept.
    pub content: String,
}

/// A whole Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// The instructions, in order.
    pub instructions: Vec<Instruction>,
    /// The escape character (`\` or `` ` ``).
    pub escape: char,
    /// The `# syntax=` directive, if any: the front-end image that reads the file.
    pub syntax: Option<(String, usize)>,
}

const KEYWORDS: [&str; 18] = [
    "add",
    "arg",
    "cmd",
    "copy",
    "entrypoint",
    "env",
    "expose",
    "from",
    "healthcheck",
    "label",
    "maintainer",
    "onbuild",
    "run",
    "shell",
    "stopsignal",
    "user",
    "volume",
    "workdir",
];

/// Parses `text` as BuildKit does.
pub fn parse(text: &str) -> Result<Dockerfile, FrontendError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut reader = Reader {
        lines: &lines,
        next: 0,
        escape: '\\',
        directives_done: false,
        seen: Vec::new(),
        syntax: None,
    };
    let mut instructions = Vec::new();
    while let Some((start, line)) = reader.logical_line()? {
        let mut instruction = node(&line, start, reader.escape)?;
        if instruction.can_hold_heredocs() && line.contains("<<") {
            let wanted = heredocs_in(&line);
            let target = match instruction.trigger.as_deref_mut() {
                Some(trigger) => trigger,
                None => &mut instruction,
            };
            for doc in wanted {
                target.heredocs.push(reader.heredoc(doc, start)?);
            }
        }
        instructions.push(instruction);
    }
    if instructions.is_empty() {
        return Err(FrontendError {
            line: lines.len(),
            message: "file with no instructions".into(),
        });
    }
    Ok(Dockerfile {
        instructions,
        escape: reader.escape,
        syntax: reader.syntax,
    })
}

struct Reader<'a> {
    lines: &'a [&'a str],
    next: usize,
    escape: char,
    directives_done: bool,
    seen: Vec<String>,
    syntax: Option<(String, usize)>,
}

impl Reader<'_> {
    /// The next instruction's text (continuations joined) and its first line, or `None` at
    /// the end.
    fn logical_line(&mut self) -> Result<Option<(usize, String)>, FrontendError> {
        while self.next < self.lines.len() {
            let raw = trim_newline(self.lines[self.next]).trim_start();
            self.next += 1;
            let start = self.next;
            self.directive(raw, start)?;
            let first = if is_comment(raw) { "" } else { raw };
            let (mut line, mut ended) = self.trim_continuation(first);
            if ended && line.is_empty() {
                continue;
            }
            while !ended && self.next < self.lines.len() {
                let raw = trim_newline(self.lines[self.next]);
                self.next += 1;
                self.directive(raw, self.next)?;
                if is_comment(raw) || raw.trim_start().is_empty() {
                    continue;
                }
                let (more, end) = self.trim_continuation(raw);
                line.push_str(&more);
                ended = end;
            }
            return Ok(Some((start, line)));
        }
        Ok(None)
    }

    /// BuildKit's directive parser: `# name=value` lines before anything else.
    fn directive(&mut self, line: &str, at: usize) -> Result<(), FrontendError> {
        if self.directives_done {
            return Ok(());
        }
        let Some((name, value)) = directive(line) else {
            self.directives_done = true;
            return Ok(());
        };
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            self.directives_done = true;
            return Ok(());
        }
        if self.seen.contains(&name) {
            return Err(FrontendError {
                line: at,
                message: format!("only one {name} parser directive can be used"),
            });
        }
        match name.as_str() {
            "escape" => match value.as_str() {
                "\\" => self.escape = '\\',
                "`" => self.escape = '`',
                other => {
                    return Err(FrontendError {
                        line: at,
                        message: format!("invalid escape token '{other}' does not match ` or \\"),
                    })
                }
            },
            "syntax" => self.syntax = Some((value, at)),
            _ => {}
        }
        self.seen.push(name);
        Ok(())
    }

    /// Removes a continuation (the escape character, not itself escaped, then only spaces or
    /// tabs) from the end of `line`; the flag is true when the line ends the instruction.
    fn trim_continuation(&self, line: &str) -> (String, bool) {
        let body = line.trim_end_matches([' ', '\t']);
        let Some(before) = body.strip_suffix(self.escape) else {
            return (line.to_string(), true);
        };
        if before.is_empty() || !before.ends_with(self.escape) {
            (before.to_string(), false)
        } else {
            (line.to_string(), true)
        }
    }

    /// Reads the body of `doc` from the following lines, up to its terminator.
    fn heredoc(&mut self, mut doc: Heredoc, start: usize) -> Result<Heredoc, FrontendError> {
        while self.next < self.lines.len() {
            let raw = self.lines[self.next];
            self.next += 1;
            let mut candidate = trim_newline(raw);
            if doc.chomp {
                candidate = candidate.trim_start_matches('\t');
            }
            if candidate == doc.name {
                return Ok(doc);
            }
            doc.content.push_str(raw);
        }
        Err(FrontendError {
            line: start,
            message: format!("unterminated heredoc {}", doc.name),
        })
    }
}

fn trim_newline(line: &str) -> &str {
    line.trim_end_matches(['\r', '\n'])
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// `# name = value` (name a letter then letters or digits), as BuildKit's directive regex.
fn directive(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix('#')?.trim_start();
    let name_end = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    let name = &rest[..name_end];
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let value = rest[name_end..].trim_start().strip_prefix('=')?.trim();
    (!value.is_empty()).then(|| (name.to_ascii_lowercase(), value.to_string()))
}

impl Instruction {
    fn can_hold_heredocs(&self) -> bool {
        let target = self.trigger.as_deref().unwrap_or(self);
        matches!(target.keyword.as_str(), "run" | "copy" | "add")
            && !matches!(target.args, Args::Json(_))
    }
}

/// One instruction from its joined line (BuildKit's `newNodeFromLine`).
fn node(line: &str, at: usize, escape: char) -> Result<Instruction, FrontendError> {
    let trimmed = line.trim();
    let (keyword, rest) = match trimmed.find([' ', '\t', '\u{b}', '\u{c}', '\r']) {
        Some(i) => (&trimmed[..i], trimmed[i..].trim_start()),
        None => (trimmed, ""),
    };
    let keyword = keyword.to_ascii_lowercase();
    if !KEYWORDS.contains(&keyword.as_str()) {
        return Err(FrontendError {
            line: at,
            message: format!("unknown instruction: {}", keyword.to_uppercase()),
        });
    }
    let (rest, flags) = builder_flags(rest, escape);
    let rest = rest.trim();
    let mut instruction = Instruction {
        keyword: keyword.clone(),
        line: at,
        flags,
        args: Args::Text(rest.to_string()),
        heredocs: Vec::new(),
        original: trimmed.to_string(),
        trigger: None,
    };
    match keyword.as_str() {
        "onbuild" if !rest.is_empty() => {
            instruction.trigger = Some(Box::new(node(rest, at, escape)?));
        }
        "run" | "cmd" | "entrypoint" | "shell" | "add" | "copy" | "volume" => {
            if let Some(words) =
                json_array(rest).map_err(|message| FrontendError { line: at, message })?
            {
                instruction.args = Args::Json(words);
            }
        }
        _ => {}
    }
    Ok(instruction)
}

/// A JSON array of strings at the start of `rest` (what follows it is ignored, as by Go's
/// decoder); `Ok(None)` when `rest` is not JSON; an error for an array of anything else.
pub(crate) fn json_array(rest: &str) -> Result<Option<Vec<String>>, String> {
    if !rest.starts_with('[') {
        return Ok(None);
    }
    let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<serde_json::Value>();
    let Some(Ok(serde_json::Value::Array(items))) = stream.next() else {
        return Ok(None);
    };
    items
        .into_iter()
        .map(|item| match item {
            serde_json::Value::String(s) => Ok(s),
            _ => Err(
                "when using JSON array syntax, arrays must be comprised of strings only"
                    .to_string(),
            ),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Leading `--flag[=value]` words (BuildKit's `extractBuilderFlags`): quotes removed, the
/// escape character escapes, `--` alone ends them.
fn builder_flags(line: &str, escape: char) -> (&str, Vec<Flag>) {
    let mut flags = Vec::new();
    let mut rest = line;
    loop {
        let trimmed = rest.trim_start();
        if !trimmed.starts_with("--") {
            return (trimmed, flags);
        }
        let (word, after) = flag_word(trimmed, escape);
        rest = after;
        if word == "--" {
            return (rest, flags);
        }
        let body = &word[2..];
        flags.push(match body.split_once('=') {
            Some((name, value)) => Flag {
                name: name.to_string(),
                value: Some(value.to_string()),
            },
            None => Flag {
                name: body.to_string(),
                value: None,
            },
        });
    }
}

/// One flag word with quotes removed, and the text after it.
fn flag_word(text: &str, escape: char) -> (String, &str) {
    let mut word = String::new();
    let mut quote = None;
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match quote {
            None if c.is_whitespace() => return (word, &text[i..]),
            None if c == '\'' || c == '"' => quote = Some(c),
            Some(q) if c == q => quote = None,
            _ if c == escape => {
                if let Some((_, n)) = chars.next() {
                    word.push(n);
                }
            }
            _ => word.push(c),
        }
    }
    (word, "")
}

/// The heredocs a line names (BuildKit's `heredocsFromLine`): each whitespace-separated word
/// (quotes and escapes kept) that is `[N]<<[-]NAME`, with NAME one word once quotes are removed.
fn heredocs_in(line: &str) -> Vec<Heredoc> {
    raw_words(line)
        .into_iter()
        .filter_map(|word| {
            let digits = word.find(|c: char| !c.is_ascii_digit()).unwrap_or(0);
            let after = word[digits..].strip_prefix("<<")?;
            let (chomp, rest) = match after.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, after),
            };
            if rest.is_empty() || rest.contains('<') {
                return None;
            }
            let name: String = rest.chars().filter(|c| *c != '\'' && *c != '"').collect();
            let name = name.replace('\\', "");
            if name.is_empty() || name.contains(char::is_whitespace) {
                return None;
            }
            Some(Heredoc {
                expand: !rest.contains(['\'', '"', '\\']),
                name,
                chomp,
                fd: word[..digits].parse().unwrap_or(0),
                content: String::new(),
            })
        })
        .collect()
}

/// Whitespace-separated words, quoted parts kept whole and quotes kept.
fn raw_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match quote {
            None if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                continue;
            }
            None if c == '\'' || c == '"' => quote = Some(c),
            Some(q) if c == q => quote = None,
            Some('"') | None if c == '\\' => {
                word.push(c);
                if let Some(n) = chars.next() {
                    word.push(n);
                }
                continue;
            }
            _ => {}
        }
        word.push(c);
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests;

//! Reading shell code the way the shell will run it: brush-parser (MIT, a maintained POSIX sh
//! and bash parser) gives the syntax tree, and this module walks it for every simple command,
//! wherever it sits: lists, pipelines, `if`/`for`/`while`/`case`, functions, subshells, `$(...)`,
//! backticks, `<(...)`, here-documents fed to a shell, the code of `sh -c`, `eval`, `su -c`,
//! `xargs`, `find -exec`, wrappers (`sudo`, `env`, `timeout`, `busybox`, ...) and scripts the
//! Dockerfile wrote earlier and runs now.
//!
//! Each command comes out as a [`Cmd`]: its words with variables substituted (ARG and ENV from
//! the Dockerfile, and what the script itself assigned), where its input comes from, what it
//! writes, and whether its failure fails the build (`fatal`, which decides whether a checksum
//! check can stop a bad download). What cannot be parsed is kept as [`Unparsed`], never dropped.

use std::collections::BTreeMap;

use brush_parser::ast;

use crate::vars::{Scope, Unresolved};

pub(crate) mod nested;
mod parse;
mod words;

pub(crate) use words::Value;

/// How deep code may nest (`sh -c "eval \"$(...)\""`) before the rest is left to a person.
const MAX_DEPTH: usize = 12;
/// How many commands one script may expand to before the rest is left to a person.
const MAX_COMMANDS: usize = 20_000;
/// How many values of a `for` loop are followed.
const MAX_LOOP_VALUES: usize = 16;

/// How a command came to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Via {
    /// Written in the script.
    Script,
    /// Inside `$(...)`, backticks or `<(...)`.
    Substitution,
    /// The code string of `sh -c`, `su -c` or `eval`.
    Code(String),
    /// Read by a shell from a here-document, a here-string or `echo ... |`.
    Stdin(String),
    /// Run by `xargs` or `find -exec`.
    Spawned(String),
    /// A script file the Dockerfile wrote earlier (path).
    File(String),
}

/// One simple command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Cmd {
    /// Its words, variables substituted, wrappers (`sudo`, `env`, ...) removed.
    pub(crate) words: Vec<Value>,
    /// The wrappers removed from the front, in order.
    pub(crate) wrappers: Vec<String>,
    /// `NAME=value` given to this command only (prefix assignments, `env NAME=value`).
    pub(crate) env: Vec<(String, Value)>,
    /// The command whose output is this one's input (through a pipe or `< <(...)`).
    pub(crate) stdin_from: Option<usize>,
    /// A here-document or here-string fed to it.
    pub(crate) stdin_doc: Option<Value>,
    /// Whether its output goes through a pipe to the next command.
    pub(crate) piped: bool,
    /// Files it writes by redirection.
    pub(crate) writes: Vec<String>,
    /// Whether its failure fails the build.
    pub(crate) fatal: bool,
    /// How it came to run.
    pub(crate) via: Via,
}

impl Cmd {
    /// The program's name as written (the first word), or "" for none.
    pub(crate) fn program(&self) -> &str {
        self.words.first().map(|w| w.text.as_str()).unwrap_or("")
    }

    /// The words as plain text.
    pub(crate) fn texts(&self) -> Vec<String> {
        self.words.iter().map(|w| w.text.clone()).collect()
    }
}

/// Code that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Unparsed {
    /// The code.
    pub(crate) text: String,
    /// Why.
    pub(crate) error: String,
}

/// Everything a script runs.
#[derive(Clone, Debug, Default)]
pub(crate) struct Script {
    /// Every simple command, in the order the shell reaches them (a substitution before the
    /// command it is part of).
    pub(crate) cmds: Vec<Cmd>,
    /// What could not be parsed.
    pub(crate) unparsed: Vec<Unparsed>,
    /// Variables the commands used that the review cannot know.
    pub(crate) unresolved: Vec<Unresolved>,
    /// Files it wrote whose content the review knows (here-documents, `echo`), by path.
    pub(crate) written: Files,
}

/// Files the Dockerfile wrote before this point, by path: a script run later is read too.
pub(crate) type Files = BTreeMap<String, String>;

/// Options for the reading.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub(crate) struct Shell {
    /// `set -o pipefail` is on from the start (`SHELL ["/bin/bash", "-o", "pipefail", "-c"]`).
    pub(crate) pipefail: bool,
    /// `set -e` is on from the start (`SHELL ["/bin/bash", "-euo", "pipefail", "-c"]`,
    /// `["/bin/sh", "-ec"]`, `-o errexit`): any failing command fails the RUN.
    pub(crate) errexit: bool,
}

impl Shell {
    /// The options a SHELL instruction's words set: short-option clusters after the program
    /// (`-e`, `-eu`, `-euo pipefail`, `-ec`) and `-o NAME`, as the shell reads its own command
    /// line. Long options (`--login`) set neither.
    pub(crate) fn of(words: &[String]) -> Shell {
        let mut shell = Shell::default();
        for (i, word) in words.iter().enumerate().skip(1) {
            if !word.starts_with('-') || word.starts_with("--") {
                continue;
            }
            if word.contains('e') {
                shell.errexit = true;
            }
            if word.contains('o') {
                match words.get(i + 1).map(String::as_str) {
                    Some("pipefail") => shell.pipefail = true,
                    Some("errexit") => shell.errexit = true,
                    _ => {}
                }
            }
        }
        shell
    }
}

/// Reads `text` as the shell would, with `scope` as its environment and `files` the files
/// written earlier.
pub(crate) fn read(text: &str, scope: &Scope, files: &Files, shell: Shell) -> Script {
    let mut walker = Walker {
        scope,
        files,
        locals: BTreeMap::new(),
        out: Script::default(),
        depth: 0,
        set_e: shell.errexit,
        pipefail: shell.pipefail,
        stdin: None,
        via: Via::Script,
    };
    walker.script(text, true);
    walker.out
}

/// A walk over one script and everything it runs.
pub(crate) struct Walker<'a> {
    scope: &'a Scope,
    files: &'a Files,
    /// Variables the script assigned.
    locals: BTreeMap<String, Value>,
    out: Script,
    depth: usize,
    set_e: bool,
    pipefail: bool,
    /// The command whose output the commands being walked read.
    stdin: Option<usize>,
    via: Via,
}

impl Walker<'_> {
    /// Parses and walks `text`; `fatal` when its exit status is the build's.
    fn script(&mut self, text: &str, fatal: bool) {
        if self.depth >= MAX_DEPTH || self.out.cmds.len() >= MAX_COMMANDS {
            self.out.unparsed.push(Unparsed {
                text: text.to_string(),
                error: "nested or repeated too deeply to follow".into(),
            });
            return;
        }
        match parse::program(text) {
            Ok(program) => {
                self.depth += 1;
                let items: Vec<&ast::CompoundListItem> = program
                    .complete_commands
                    .iter()
                    .flat_map(|list| &list.0)
                    .collect();
                self.items(&items, fatal);
                self.depth -= 1;
            }
            Err(error) => self.out.unparsed.push(Unparsed {
                text: text.to_string(),
                error,
            }),
        }
    }

    fn list(&mut self, list: &ast::CompoundList, fatal: bool) {
        let items: Vec<&ast::CompoundListItem> = list.0.iter().collect();
        self.items(&items, fatal);
    }

    /// A list: the last item decides its status; with `set -e` every item can end the build.
    fn items(&mut self, items: &[&ast::CompoundListItem], fatal: bool) {
        for (i, item) in items.iter().enumerate() {
            let last = i + 1 == items.len();
            let background = matches!(item.1, ast::SeparatorOperator::Async);
            let decides = fatal && last && !background;
            self.and_or(&item.0, decides || (self.set_e && !background), decides);
        }
    }

    /// `a && b || c`: a pipeline's failure fails the list unless an `||` follows it.
    fn and_or(&mut self, list: &ast::AndOrList, item_fatal: bool, decides: bool) {
        let mut pipelines = vec![&list.first];
        let mut or_after = Vec::new();
        for next in &list.additional {
            or_after.push(matches!(next, ast::AndOr::Or(_)));
            pipelines.push(match next {
                ast::AndOr::And(p) | ast::AndOr::Or(p) => p,
            });
        }
        for (k, pipeline) in pipelines.iter().enumerate() {
            let rescued = or_after[k..].iter().any(|or| *or);
            let last = k + 1 == pipelines.len();
            let fatal = !rescued && if last { item_fatal } else { decides };
            self.pipeline(pipeline, fatal);
        }
    }

    /// `a | b | c`: each reads the one before; only the last decides the status (unless
    /// pipefail).
    fn pipeline(&mut self, pipeline: &ast::Pipeline, fatal: bool) {
        let inherited = self.stdin;
        let count = pipeline.seq.len();
        for (j, command) in pipeline.seq.iter().enumerate() {
            let last = j + 1 == count;
            let fatal = fatal && !pipeline.bang && (last || self.pipefail);
            let before = self.out.cmds.len();
            self.command(command, fatal, !last);
            self.stdin = if self.out.cmds.len() > before {
                Some(self.out.cmds.len() - 1)
            } else {
                inherited
            };
        }
        self.stdin = inherited;
    }

    fn command(&mut self, command: &ast::Command, fatal: bool, piped: bool) {
        match command {
            ast::Command::Simple(simple) => self.simple(simple, fatal, piped),
            ast::Command::Compound(compound, _) => self.compound(compound, fatal),
            ast::Command::Function(function) => {
                let saved = self.stdin.take();
                self.compound(&function.body.0, false);
                self.stdin = saved;
            }
            ast::Command::ExtendedTest(test, _) => self.test(&test.expr),
        }
    }

    fn compound(&mut self, compound: &ast::CompoundCommand, fatal: bool) {
        use ast::CompoundCommand as C;
        match compound {
            C::BraceGroup(group) => self.list(&group.list, fatal),
            C::Subshell(sub) => self.list(&sub.list, fatal),
            C::IfClause(clause) => {
                self.list(&clause.condition, false);
                self.list(&clause.then, fatal);
                for other in clause.elses.iter().flatten() {
                    if let Some(condition) = &other.condition {
                        self.list(condition, false);
                    }
                    self.list(&other.body, fatal);
                }
            }
            C::WhileClause(w) | C::UntilClause(w) => {
                self.list(&w.0, false);
                self.list(&w.1.list, fatal);
            }
            C::ForClause(clause) => self.for_loop(clause, fatal),
            C::ArithmeticForClause(clause) => self.list(&clause.body.list, fatal),
            C::CaseClause(clause) => {
                self.word(&clause.value);
                for item in &clause.cases {
                    if let Some(body) = &item.cmd {
                        self.list(body, fatal);
                    }
                }
            }
            C::Coprocess(co) => self.command(&co.body, false, false),
            C::Arithmetic(_) => {}
        }
    }

    /// `for NAME in VALUES`: the body once per value (up to [`MAX_LOOP_VALUES`]), so that each
    /// URL it builds is seen.
    fn for_loop(&mut self, clause: &ast::ForClauseCommand, fatal: bool) {
        let values: Vec<Value> = clause
            .values
            .iter()
            .flatten()
            .map(|w| self.word(w))
            .flat_map(Value::split_fields)
            .take(MAX_LOOP_VALUES)
            .collect();
        if values.is_empty() {
            self.locals
                .insert(clause.variable_name.clone(), Value::opaque("$@"));
            return self.list(&clause.body.list, fatal);
        }
        for value in values {
            self.locals.insert(clause.variable_name.clone(), value);
            self.list(&clause.body.list, fatal);
        }
    }

    fn test(&mut self, expr: &ast::ExtendedTestExpr) {
        use ast::ExtendedTestExpr as T;
        match expr {
            T::And(a, b) | T::Or(a, b) => {
                self.test(a);
                self.test(b);
            }
            T::Not(a) | T::Parenthesized(a) => self.test(a),
            T::UnaryTest(_, w) => {
                self.word(w);
            }
            T::BinaryTest(_, a, b) => {
                self.word(a);
                self.word(b);
            }
        }
    }

    /// One simple command: its assignments, words and redirections, then what it runs.
    fn simple(&mut self, simple: &ast::SimpleCommand, fatal: bool, piped: bool) {
        let mut parts = Parts::default();
        let prefix = simple.prefix.iter().flat_map(|p| &p.0);
        for item in prefix {
            self.item(item, &mut parts, true);
        }
        if let Some(name) = &simple.word_or_name {
            let value = self.word(name);
            parts.words.push(value);
        }
        for item in simple.suffix.iter().flat_map(|s| &s.0) {
            self.item(item, &mut parts, false);
        }
        if parts.words.first().is_some_and(|w| w.text == "read") {
            // `read NAME`: set at run time from the input.
            for word in parts.words[1..].iter().filter(|w| !w.text.starts_with('-')) {
                let name = word.text.clone();
                self.locals
                    .insert(name.clone(), Value::opaque(&format!("${{{name}}}")));
            }
        }
        if parts.words.is_empty() {
            for (name, value) in parts.assignments {
                self.locals.insert(name, value);
            }
            return;
        }
        self.emit(parts, fatal, piped);
    }

    fn item(&mut self, item: &ast::CommandPrefixOrSuffixItem, parts: &mut Parts, prefix: bool) {
        use ast::CommandPrefixOrSuffixItem as I;
        match item {
            I::IoRedirect(redirect) => self.redirect(redirect, parts),
            I::Word(w) => {
                let value = self.word(w);
                parts.words.push(value);
            }
            I::AssignmentWord(assignment, word) => {
                let value = match &assignment.value {
                    ast::AssignmentValue::Scalar(w) => self.word(w),
                    ast::AssignmentValue::Array(_) => Value::opaque(&word.value),
                };
                let name = match &assignment.name {
                    ast::AssignmentName::VariableName(n)
                    | ast::AssignmentName::ArrayElementName(n, _) => n.clone(),
                };
                if prefix {
                    parts.assignments.push((name, value));
                } else {
                    // `export NAME=value`, `local NAME=value`: a word, and a variable from now on.
                    parts.words.push(Value::assignment(&name, &value));
                    self.locals.insert(name, value);
                }
            }
            I::ProcessSubstitution(_, sub) => {
                let value = self.substitution(|w| w.list(&sub.list, false), "<(...)");
                parts.words.push(value);
            }
        }
    }

    fn redirect(&mut self, redirect: &ast::IoRedirect, parts: &mut Parts) {
        use ast::{IoFileRedirectKind as K, IoFileRedirectTarget as T, IoRedirect as R};
        match redirect {
            R::File(_, kind, T::Filename(w)) => {
                let target = self.word(w);
                match kind {
                    K::Write | K::Append | K::Clobber | K::ReadAndWrite => {
                        parts.writes.push(target.text)
                    }
                    K::Read => parts.reads.push(target.text),
                    _ => {}
                }
            }
            R::File(_, _, T::ProcessSubstitution(kind, sub)) => {
                let value = self.substitution(|w| w.list(&sub.list, false), "<(...)");
                if matches!(kind, ast::ProcessSubstitutionKind::Read) {
                    parts.stdin = value.from.last().copied();
                }
            }
            R::File(..) => {}
            R::HereDocument(_, doc) => {
                let body = if doc.requires_expansion {
                    self.heredoc_body(&doc.doc.value)
                } else {
                    Value::literal(&doc.doc.value)
                };
                parts.stdin_doc = Some(body);
            }
            R::HereString(_, w) => {
                let value = self.word(w);
                parts.stdin_doc = Some(value);
            }
            R::OutputAndError(w, _) => {
                let target = self.word(w);
                parts.writes.push(target.text);
            }
        }
    }
}

/// The pieces of a simple command while it is being read.
#[derive(Default)]
pub(crate) struct Parts {
    pub(crate) assignments: Vec<(String, Value)>,
    pub(crate) words: Vec<Value>,
    pub(crate) writes: Vec<String>,
    pub(crate) reads: Vec<String>,
    pub(crate) stdin: Option<usize>,
    pub(crate) stdin_doc: Option<Value>,
}

#[cfg(test)]
mod tests;

//! What a command runs besides itself: wrappers (`sudo`, `env`, `timeout`, `busybox`, ...) are
//! taken off so the real program is seen; the code of `sh -c`, `su -c`, `eval` and of a shell
//! reading a here-document or `echo ... |` is read as a script; `xargs` and `find -exec` run
//! their command; a script the Dockerfile wrote earlier is read when it is run.

use super::{Cmd, Parts, Value, Via, Walker};

/// Programs that run the command after their own options and arguments: the options that take
/// a value, and how many positional arguments come before the command.
const WRAPPERS: &[(&str, &[&str], usize)] = &[
    (
        "sudo",
        &["-u", "-g", "-h", "-p", "-U", "-C", "-D", "-r", "-t", "-T"],
        0,
    ),
    ("doas", &["-u", "-C"], 0),
    ("env", &["-u", "-C", "--unset", "--chdir"], 0),
    ("time", &["-f", "-o", "--format", "--output"], 0),
    ("nice", &["-n", "--adjustment"], 0),
    ("nohup", &[], 0),
    ("setsid", &[], 0),
    ("unbuffer", &[], 0),
    ("fakeroot", &["-l", "-s", "-i"], 0),
    ("dumb-init", &[], 0),
    ("tini", &["-p", "-e"], 0),
    ("catatonit", &[], 0),
    ("stdbuf", &["-i", "-o", "-e"], 0),
    ("ionice", &["-c", "-n", "-p"], 0),
    ("exec", &["-a"], 0),
    ("command", &[], 0),
    ("builtin", &[], 0),
    ("timeout", &["-s", "-k", "--signal", "--kill-after"], 1),
    ("chroot", &["--userspec", "--groups"], 1),
    (
        "flock",
        &["-w", "-E", "--timeout", "--conflict-exit-code"],
        1,
    ),
    ("gosu", &[], 1),
    ("su-exec", &[], 1),
    ("s6-setuidgid", &[], 1),
    ("chpst", &["-u", "-U", "-e", "-n", "-l", "-L"], 0),
    ("setpriv", &[], 0),
    ("taskset", &[], 1),
    ("strace", &["-o", "-e", "-p", "-s", "-u"], 0),
    ("ltrace", &["-o", "-e", "-p", "-s", "-u"], 0),
    ("watch", &["-n", "-d", "--interval"], 0),
    ("proxychains", &["-f"], 0),
    ("proxychains4", &["-f"], 0),
    ("torsocks", &[], 0),
    ("faketime", &[], 1),
    ("xvfb-run", &["-n", "-s", "-f", "-e", "-p"], 0),
    ("unshare", &[], 0),
    ("nsenter", &["-t"], 0),
    ("runuser", &["-u", "-g", "-G"], 0),
    ("retry", &["-t", "-d", "--times", "--delay"], 0),
    ("busybox", &[], 0),
    ("with-contenv", &[], 0),
];

/// Shells: a `-c` string, a script file or standard input is code.
pub(crate) const SHELLS: [&str; 10] = [
    "sh",
    "bash",
    "dash",
    "zsh",
    "ksh",
    "ash",
    "mksh",
    "yash",
    "fish",
    "busybox-sh",
];

/// The basename of a program path.
pub(crate) fn base(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Takes wrappers off the front of `words`: the wrappers' names, the `NAME=value` they set,
/// and the words of the command they run.
fn unwrap(mut words: Vec<Value>) -> (Vec<String>, Vec<(String, Value)>, Vec<Value>) {
    let mut wrappers = Vec::new();
    let mut env = Vec::new();
    while let Some(first) = words.first() {
        let name = base(&first.text).to_string();
        // `command -v curl` and `builtin` look a program up; they run nothing.
        if name == "command"
            && words
                .get(1)
                .is_some_and(|w| w.text == "-v" || w.text == "-V")
        {
            break;
        }
        let Some((_, with_value, positional)) = WRAPPERS.iter().find(|(w, _, _)| *w == name) else {
            break;
        };
        let mut i = 1;
        while let Some(word) = words.get(i) {
            let t = &word.text;
            if t == "--" {
                i += 1;
                break;
            }
            if name == "env" && t.contains('=') && !t.starts_with('-') {
                let (k, v) = t.split_once('=').unwrap_or((t, ""));
                env.push((
                    k.to_string(),
                    Value {
                        text: v.to_string(),
                        ..word.clone()
                    },
                ));
                i += 1;
                continue;
            }
            if !t.starts_with('-') || t == "-" {
                break;
            }
            i += if with_value.contains(&t.as_str()) {
                2
            } else {
                1
            };
        }
        i += positional;
        wrappers.push(name);
        words = words.split_off(i.min(words.len()));
    }
    (wrappers, env, words)
}

impl Walker<'_> {
    /// Records one command and walks what it runs in turn.
    pub(super) fn emit(&mut self, parts: Parts, fatal: bool, piped: bool) {
        let Parts {
            assignments,
            words,
            writes,
            reads,
            stdin,
            stdin_doc,
        } = parts;
        let (wrappers, extra_env, unwrapped) = unwrap(words.clone());
        // `exec 3<>/dev/tcp/...`: a wrapper with nothing to run is the command itself.
        let (wrappers, words) = if unwrapped.is_empty() {
            (Vec::new(), words)
        } else {
            (wrappers, unwrapped)
        };
        let mut env = assignments;
        env.extend(extra_env);
        let cmd = Cmd {
            words,
            wrappers,
            env,
            stdin_from: stdin.or(self.stdin),
            stdin_doc,
            piped,
            writes,
            fatal,
            via: self.via.clone(),
        };
        let index = self.out.cmds.len();
        self.out.cmds.push(cmd);
        self.options(index);
        self.remember_file(index);
        self.runs(index, &reads);
    }

    /// `set -e`, `set -o pipefail` and their combinations (`set -eux`, `set -euo pipefail`).
    fn options(&mut self, index: usize) {
        let words = self.out.cmds[index].texts();
        if words[0] != "set" {
            return;
        }
        for (i, w) in words.iter().enumerate().skip(1) {
            let on = w.starts_with('-');
            if w.starts_with(['-', '+']) && !w.starts_with("--") {
                if w.contains('e') {
                    self.set_e = on;
                }
                if w.contains('o') && words.get(i + 1).is_some_and(|n| n == "pipefail") {
                    self.pipefail = on;
                }
            }
        }
    }

    /// A file written from a here-document or by `echo`/`printf` is kept, in case it is run.
    fn remember_file(&mut self, index: usize) {
        let cmd = &self.out.cmds[index];
        let Some(path) = cmd.writes.first().cloned().or_else(|| {
            (base(cmd.program()) == "tee")
                .then(|| cmd.words.get(1).map(|w| w.text.clone()))
                .flatten()
        }) else {
            return;
        };
        let content = match (&cmd.stdin_doc, base(cmd.program())) {
            (Some(doc), "cat" | "tee") => doc.text.clone(),
            (_, "echo" | "printf") => {
                let args: Vec<String> = cmd.words[1..]
                    .iter()
                    .filter(|w| !w.text.starts_with('-'))
                    .map(|w| w.text.clone())
                    .collect();
                args.join(" ").replace("\\n", "\n")
            }
            _ => return,
        };
        self.out.written.insert(path, content);
    }

    /// The code this command runs besides itself.
    fn runs(&mut self, index: usize, reads: &[String]) {
        let cmd = self.out.cmds[index].clone();
        let program = base(cmd.program()).to_string();
        let args = &cmd.words[1..];
        match program.as_str() {
            p if SHELLS.contains(&p) => self.shell(&cmd, &program, reads),
            "eval" => {
                if args.iter().all(Value::is_literal) {
                    let code: Vec<String> = args.iter().map(|a| a.text.clone()).collect();
                    self.nested(&code.join(" "), Via::Code("eval".into()), cmd.fatal);
                }
            }
            "su" | "runuser" => {
                if let Some(code) = option(args, &["-c", "--command"]) {
                    if code.is_literal() {
                        self.nested(&code.text, Via::Code(program.clone()), cmd.fatal);
                    }
                }
            }
            "source" | "." => {
                if let Some(path) = args.first() {
                    self.run_file(&path.text, cmd.fatal);
                }
            }
            "xargs" => self.xargs(&cmd),
            "find" => self.find_exec(&cmd),
            _ => self.run_file(cmd.program(), cmd.fatal),
        }
    }

    /// A shell: its `-c` code, its script file, or its standard input.
    fn shell(&mut self, cmd: &Cmd, program: &str, reads: &[String]) {
        let args = &cmd.words[1..];
        let mut i = 0;
        let mut has_c = false;
        while let Some(word) = args.get(i) {
            let t = &word.text;
            if !(t.starts_with('-') || t.starts_with('+')) || t == "-" || t == "--" {
                break;
            }
            if !t.starts_with("--") && t.contains('c') {
                has_c = true;
            }
            i += if t == "-o" || t == "+o" { 2 } else { 1 };
        }
        if has_c {
            if let Some(code) = args.get(i).filter(|c| c.is_literal()) {
                self.nested(&code.text, Via::Code(program.into()), cmd.fatal);
            }
            return;
        }
        match args.get(i).filter(|a| a.text != "-" && a.text != "-s") {
            Some(file) => self.run_file(&file.text, cmd.fatal),
            None => self.shell_stdin(cmd, program, reads),
        }
    }

    /// A shell reading its standard input: a literal here-document or `echo`/`printf` text is
    /// read as code; anything else is left to the checks (it is code the review cannot read).
    fn shell_stdin(&mut self, cmd: &Cmd, program: &str, reads: &[String]) {
        let via = Via::Stdin(program.into());
        if let Some(doc) = cmd.stdin_doc.as_ref().filter(|d| d.is_literal()) {
            return self.nested(&doc.text.clone(), via, cmd.fatal);
        }
        if let Some(path) = reads.first() {
            return self.run_file(path, cmd.fatal);
        }
        let Some(source) = cmd.stdin_from.map(|i| self.out.cmds[i].clone()) else {
            return;
        };
        if matches!(base(source.program()), "echo" | "printf")
            && source.words[1..].iter().all(Value::is_literal)
        {
            let text: Vec<String> = source.words[1..]
                .iter()
                .filter(|w| !w.text.starts_with('-'))
                .map(|w| w.text.replace("\\n", "\n"))
                .collect();
            self.nested(&text.join(" "), via, cmd.fatal);
        }
    }

    /// Runs a file the Dockerfile wrote (by COPY or earlier in a RUN), if it is one.
    fn run_file(&mut self, path: &str, fatal: bool) {
        let content = self
            .out
            .written
            .get(path)
            .or_else(|| self.files.get(path))
            .or_else(|| {
                let name = base(path);
                self.files
                    .iter()
                    .find(|(p, _)| base(p) == name && path.starts_with('.'))
                    .map(|(_, c)| c)
            })
            .cloned();
        let Some(content) = content else { return };
        let shebang = content.lines().next().unwrap_or("");
        let shell_code = !shebang.starts_with("#!")
            || SHELLS.iter().any(|s| {
                shebang.ends_with(&format!("/{s}")) || shebang.ends_with(&format!(" {s}"))
            });
        if shell_code {
            self.nested(&content, Via::File(path.to_string()), fatal);
        }
    }

    /// Walks nested code with its own `via`, the rest of the state shared.
    fn nested(&mut self, code: &str, via: Via, fatal: bool) {
        let saved_via = std::mem::replace(&mut self.via, via);
        let saved_stdin = self.stdin.take();
        let saved_e = self.set_e;
        self.script(code, fatal);
        self.set_e = saved_e;
        self.stdin = saved_stdin;
        self.via = saved_via;
    }

    /// `xargs CMD ARGS`: CMD runs with what `echo`/`printf` or a here-document feed it.
    fn xargs(&mut self, cmd: &Cmd) {
        const WITH_VALUE: [&str; 9] = ["-I", "-n", "-P", "-d", "-L", "-s", "-E", "-a", "-i"];
        let args = &cmd.words[1..];
        let mut i = 0;
        let mut replace = None;
        while let Some(word) = args.get(i).filter(|w| w.text.starts_with('-')) {
            if word.text == "-I" {
                replace = args.get(i + 1).map(|r| r.text.clone());
            }
            i += if WITH_VALUE.contains(&word.text.as_str()) {
                2
            } else {
                1
            };
        }
        let mut words: Vec<Value> = args.get(i..).unwrap_or_default().to_vec();
        if words.is_empty() {
            words.push(Value::literal("echo"));
        }
        let items = self.fed_items(cmd);
        match replace {
            Some(marker) => {
                for word in &mut words {
                    if word.text.contains(&marker) {
                        word.text = word.text.replace(&marker, &items.join(" "));
                    }
                }
            }
            None => words.extend(items.iter().map(|i| Value::literal(i))),
        }
        self.spawn(words, cmd, "xargs");
    }

    /// The items fed to a command's standard input, where the review can read them.
    fn fed_items(&self, cmd: &Cmd) -> Vec<String> {
        if let Some(doc) = cmd.stdin_doc.as_ref() {
            return doc.text.split_whitespace().map(str::to_string).collect();
        }
        let Some(source) = cmd.stdin_from.map(|i| &self.out.cmds[i]) else {
            return Vec::new();
        };
        if !matches!(base(source.program()), "echo" | "printf" | "cat") {
            return Vec::new();
        }
        if let Some(doc) = &source.stdin_doc {
            return doc.text.split_whitespace().map(str::to_string).collect();
        }
        source.words[1..]
            .iter()
            .filter(|w| !w.text.starts_with('-'))
            .flat_map(|w| w.text.split_whitespace().map(str::to_string))
            .collect()
    }

    /// `find ... -exec CMD ... ;` (and `-execdir`, `-ok`, `-okdir`).
    fn find_exec(&mut self, cmd: &Cmd) {
        let words = &cmd.words;
        let mut i = 0;
        while i < words.len() {
            if matches!(
                words[i].text.as_str(),
                "-exec" | "-execdir" | "-ok" | "-okdir"
            ) {
                let end = words[i + 1..]
                    .iter()
                    .position(|w| w.text == ";" || w.text == "\\;" || w.text == "+")
                    .map_or(words.len(), |p| i + 1 + p);
                let inner = words[i + 1..end].to_vec();
                self.spawn(inner, cmd, "find -exec");
                i = end;
            }
            i += 1;
        }
    }

    /// Records a command another one runs (`xargs`, `find -exec`), then what it runs.
    fn spawn(&mut self, words: Vec<Value>, parent: &Cmd, by: &str) {
        let (wrappers, env, words) = unwrap(words);
        if words.is_empty() || self.out.cmds.len() >= super::MAX_COMMANDS {
            return;
        }
        let index = self.out.cmds.len();
        self.out.cmds.push(Cmd {
            words,
            wrappers,
            env,
            stdin_from: None,
            stdin_doc: None,
            piped: parent.piped,
            writes: Vec::new(),
            fatal: parent.fatal,
            via: Via::Spawned(by.into()),
        });
        self.runs(index, &[]);
    }
}

/// The value of an option given as `-c VALUE`, `--command=VALUE` or `--command VALUE`.
fn option<'a>(args: &'a [Value], names: &[&str]) -> Option<&'a Value> {
    let position = args.iter().position(|a| names.contains(&a.text.as_str()))?;
    args.get(position + 1)
}

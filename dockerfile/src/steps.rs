//! The instructions that put things in the image: RUN (its flags, its shell code, here-
//! documents, exec form, other SHELLs), ADD (URLs and their checksums) and COPY (other images,
//! here-documents, modes, destinations that change what the image trusts).

use vouch_proto::findings::Severity;

use crate::analyze::{DownloadRef, Here, Walk};
use crate::frontend::{Args, Flag, Instruction};
use crate::rule;
use crate::rules::{self, Download, Raw, When};
use crate::script::{self, nested::SHELLS, Shell};
use crate::vars::{self, Expanded, Scope};

/// `path` resolved against the working directory `dir`.
pub(crate) fn resolve(dir: &str, path: &str) -> String {
    if path.starts_with('/') || path.is_empty() {
        return path.to_string();
    }
    let dir = if dir.is_empty() { "/" } else { dir };
    format!(
        "{}/{}",
        dir.trim_end_matches('/'),
        path.trim_start_matches("./")
    )
}

/// Exec-form words as one shell command line, each word quoted.
pub(crate) fn quote_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("'{}'", w.replace('\'', r"'\''")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The words of the first command of shell-form `text`.
pub(crate) fn first_command(text: &str, scope: &Scope) -> Vec<String> {
    let script = script::read(text, scope, &Default::default(), Shell::default());
    script
        .cmds
        .iter()
        .find(|c| c.via == script::Via::Script)
        .map(|c| c.texts())
        .unwrap_or_default()
}

fn flag<'f>(flags: &'f [Flag], name: &str) -> Option<&'f Flag> {
    flags.iter().find(|f| f.name == name)
}

impl Walk<'_> {
    pub(crate) fn run(&mut self, instruction: &Instruction, here: &Here) {
        self.run_flags(&instruction.flags, here);
        let code = run_code(instruction);
        let shell = self.stage().shell.clone();
        let program = shell.first().map(|p| rules::program_name(p));
        let facts = match (program.as_deref(), &code) {
            (_, Code::Interpreter(interpreter, body)) => foreign(interpreter, body),
            (Some(p), Code::Shell(text)) if !SHELLS.contains(&p) => foreign(p, text),
            (_, Code::Shell(text)) => {
                let stage = self.stage();
                let read = script::read(text, &stage.scope, &stage.files, Shell::of(&shell));
                let facts = rules::run(&read, When::Build);
                stage.files.extend(read.written);
                facts
            }
        };
        let ids: Vec<String> = facts
            .findings
            .into_iter()
            .map(|raw| self.push(raw, here))
            .collect();
        for d in &facts.downloads {
            self.downloads.push(DownloadRef {
                finding_id: ids.get(d.finding).cloned().unwrap_or_default(),
                url: d.url.clone(),
                destination: d.dest.clone(),
            });
        }
        let line = here.line;
        let stage = self.stage();
        stage
            .created
            .extend(facts.created.into_iter().map(|p| (p, line, "RUN")));
        stage
            .downloads
            .extend(facts.downloads.into_iter().map(|d| (d, line)));
    }

    /// `--mount=from=IMAGE` (an image used without a FROM) and `--security=insecure`.
    fn run_flags(&mut self, flags: &[Flag], here: &Here) {
        for f in flags {
            let value = f.value.clone().unwrap_or_default();
            match f.name.as_str() {
                "mount" => {
                    let from = value.split(',').find_map(|kv| kv.strip_prefix("from="));
                    if let Some(from) = from {
                        let from = vars::expand(from, self.escape, &self.stage().scope).text;
                        if !self.internal(&from) {
                            self.image(&from, "RUN --mount=from", here);
                        }
                    }
                }
                "security" if value == "insecure" => {
                    let raw = Raw {
                        rule: &rule::INSECURE_BUILD,
                        about: "security=insecure".into(),
                        summary: "RUN --security=insecure: this step runs with the build host's privileges".into(),
                        severity: Severity::High,
                        check: rule::INSECURE_BUILD.help.into(),
                    };
                    self.push(raw, here);
                }
                _ => {}
            }
        }
    }

    /// Whether `name` is a stage of this file (by alias or index), not an image.
    fn internal(&self, name: &str) -> bool {
        name.chars().all(|c| c.is_ascii_digit())
            || self
                .stage_names
                .iter()
                .any(|n| n.eq_ignore_ascii_case(name))
    }

    pub(crate) fn add(&mut self, instruction: &Instruction, here: &Here) {
        let checksum = flag(&instruction.flags, "checksum").is_some();
        let Some((sources, dest)) = self.sources_and_dest(instruction) else {
            return;
        };
        for (src, content) in sources {
            let target = crate::rules::targets_into(&dest, &src.text);
            let remote = rules::url_like(&src.text) || src.text.ends_with(".git");
            if remote {
                self.add_download(&src, &target, checksum, here);
            }
            self.placed(
                instruction,
                &src.text,
                &target,
                content.as_deref(),
                "ADD",
                here,
            );
        }
    }

    /// VR302: ADD of a URL, with or without --checksum.
    fn add_download(&mut self, src: &Expanded, target: &str, checksum: bool, here: &Here) {
        let (severity, how) = if checksum {
            (Severity::Low, "verified by ADD --checksum")
        } else {
            (Severity::High, "not verified (no --checksum)")
        };
        let url = &src.text;
        let shown = rules::redact(url);
        let finding_id = self.push(
            Raw {
                rule: &rule::DOWNLOAD_ADD,
                about: format!("{url} {target} checksum={checksum}"),
                summary: format!("ADD fetches {shown} to {target}: {how}"),
                severity,
                check: ADD_CHECK.into(),
            },
            here,
        );
        let mut more: Vec<Raw> = rules::url_credential(url, "ADD").into_iter().collect();
        more.extend(rules::code_unfixed(
            &src.unresolved,
            &format!("the URL {shown}"),
        ));
        for raw in more {
            self.push(raw, here);
        }
        self.downloads.push(DownloadRef {
            finding_id,
            url: url.to_string(),
            destination: Some(target.to_string()),
        });
        let download = Download {
            url: url.to_string(),
            dest: Some(target.to_string()),
            finding: 0,
        };
        self.stage().downloads.push((download, here.line));
    }

    pub(crate) fn copy(&mut self, instruction: &Instruction, here: &Here) {
        if let Some(from) = flag(&instruction.flags, "from").and_then(|f| f.value.clone()) {
            let from = vars::expand(&from, self.escape, &self.stage().scope).text;
            if !self.internal(&from) {
                self.image(&from, "COPY --from", here);
            }
        }
        let Some((sources, dest)) = self.sources_and_dest(instruction) else {
            return;
        };
        for (src, content) in sources {
            let target = crate::rules::targets_into(&dest, &src.text);
            self.placed(
                instruction,
                &src.text,
                &target,
                content.as_deref(),
                "COPY",
                here,
            );
        }
    }

    /// The sources (with the content of here-documents) and the destination of ADD or COPY.
    fn sources_and_dest(&mut self, instruction: &Instruction) -> Option<(Vec<Source>, String)> {
        let scope = self.stage().scope.clone();
        let mut words: Vec<Expanded> = match &instruction.args {
            Args::Json(words) => words
                .iter()
                .map(|w| vars::expand(w, self.escape, &scope))
                .collect(),
            Args::Text(text) => vars::expand_words(text, self.escape, &scope),
        };
        let dest = words.pop()?;
        let dest = resolve(&self.stage().workdir, &dest.text);
        let mut docs = instruction.heredocs.iter();
        let sources = words
            .into_iter()
            .map(|w| {
                if w.text.starts_with("<<") {
                    let doc = docs.next();
                    let name = doc.map(|d| d.name.clone()).unwrap_or_default();
                    let content = doc.map(|d| {
                        if d.expand {
                            vars::expand(&d.content, '\0', &scope).text
                        } else {
                            d.content.clone()
                        }
                    });
                    (
                        Expanded {
                            text: name,
                            ..Expanded::default()
                        },
                        content,
                    )
                } else {
                    (w, None)
                }
            })
            .collect();
        Some((sources, dest))
    }

    /// What COPY or ADD puts at `target`: recorded (with its content, for a script run later),
    /// and checked for `--chmod` setuid and destinations that change what the image trusts.
    fn placed(
        &mut self,
        instruction: &Instruction,
        src: &str,
        target: &str,
        content: Option<&str>,
        by: &'static str,
        here: &Here,
    ) {
        let mut found = Vec::new();
        if let Some(mode) = flag(&instruction.flags, "chmod").and_then(|f| f.value.as_deref()) {
            if rules::sets_id_bits(mode) {
                found.push(Raw {
                    rule: &rule::SETUID,
                    about: target.to_string(),
                    summary: format!("{by} --chmod={mode} sets setuid/setgid on {target}"),
                    severity: Severity::High,
                    check: rule::SETUID.help.into(),
                });
            }
        }
        found.extend(rules::destination_finding(
            target,
            content.unwrap_or(""),
            by,
            format!("{by} {src} {target}"),
        ));
        for raw in found {
            self.push(raw, here);
        }
        let stage = self.stage();
        if let Some(content) = content {
            stage.files.insert(target.to_string(), content.to_string());
        }
        stage.created.push((target.to_string(), here.line, by));
    }
}

/// A source of ADD or COPY, with the content of a here-document source.
type Source = (Expanded, Option<String>);

/// What to check about an ADD of a URL.
const ADD_CHECK: &str = "Fetch it yourself, read what it is, and record its sha256 (--download URL=sha256:HEX); pin it in the Dockerfile with ADD --checksum=sha256:...";

/// The code of a RUN.
enum Code {
    /// Shell code.
    Shell(String),
    /// A here-document script for another interpreter (its `#!` line), and its body.
    Interpreter(String, String),
}

/// A RUN's code as BuildKit runs it: exec form as a command line; a RUN that is only a
/// here-document runs the body (through its `#!` interpreter if it has one); otherwise the
/// here-documents follow the command line, as the shell reads them.
fn run_code(instruction: &Instruction) -> Code {
    let text = match &instruction.args {
        Args::Json(words) => return Code::Shell(quote_words(words)),
        Args::Text(text) => text,
    };
    let docs = &instruction.heredocs;
    if let [doc] = docs.as_slice() {
        let bare: String = text.chars().filter(|c| !matches!(c, '\'' | '"')).collect();
        let only =
            bare.trim() == format!("<<{}", doc.name) || bare.trim() == format!("<<-{}", doc.name);
        if only {
            if let Some(line) = doc.content.lines().next().filter(|l| l.starts_with("#!")) {
                let interpreter = line[2..]
                    .split_whitespace()
                    .map(rules::program_name)
                    .rfind(|p| p != "env")
                    .unwrap_or_default();
                if !SHELLS.contains(&interpreter.as_str()) {
                    return Code::Interpreter(interpreter, doc.content.clone());
                }
            }
            return Code::Shell(doc.content.clone());
        }
    }
    let mut script = text.to_string();
    for doc in docs {
        script.push('\n');
        script.push_str(&doc.content);
        if !doc.content.ends_with('\n') && !doc.content.is_empty() {
            script.push('\n');
        }
        script.push_str(&doc.name);
    }
    Code::Shell(script)
}

/// Code for another interpreter (a SHELL that is not a POSIX shell, a `#!` here-document):
/// read conservatively.
fn foreign(program: &str, code: &str) -> rules::RunFacts {
    rules::RunFacts {
        findings: rules::inline_code(program, code, "a RUN script", When::Build),
        ..rules::RunFacts::default()
    }
}

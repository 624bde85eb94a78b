//! Walking a parsed Dockerfile: stages, ARG and ENV scope, USER, ENTRYPOINT/CMD, and the
//! findings of every instruction, each with its line and a stable id.

use std::collections::{BTreeMap, HashMap};

use parse_dockerfile::{Command, Instruction, Source};
use sha2::{Digest as _, Sha256};
use vouch_proto::findings::{Finding, Severity};

use crate::base_images::base_image;
use crate::expand::{assignments, expand, Vars};
use crate::rule::{self, Rule};
use crate::rules::{self, Download, Raw};
use crate::secrets::secrets;
use crate::shell;

/// Why a Dockerfile cannot be analysed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a Dockerfile Vouch can read: {0}")]
pub struct ParseError(pub String);

#[derive(Clone, Default)]
pub(crate) struct Stage {
    pub(crate) name: Option<String>,
    pub(crate) external: bool,
    pub(crate) vars: Vars,
    pub(crate) user: Option<(String, usize, String)>,
    pub(crate) entrypoint: Option<Exec>,
    pub(crate) cmd: Option<Exec>,
    pub(crate) created: Vec<(String, usize, &'static str)>,
    pub(crate) downloads: Vec<(Download, usize)>,
}

/// An ENTRYPOINT or CMD of a stage: its words, whether in exec form, its line and its text.
#[derive(Clone)]
pub(crate) struct Exec {
    pub(crate) words: Vec<String>,
    pub(crate) exec_form: bool,
    pub(crate) line: usize,
    pub(crate) source: String,
}

struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts }
    }

    fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}

/// The checklist of `text`, in file order. `build_args` override ARG defaults.
pub fn analyze(
    text: &str,
    build_args: &BTreeMap<String, String>,
) -> Result<Vec<Finding>, ParseError> {
    analyze_full(text, build_args).map(|analysis| analysis.findings)
}

/// A download found in the Dockerfile, and the finding that reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DownloadRef {
    /// The finding's id.
    pub finding_id: String,
    /// The URL, variables expanded.
    pub url: String,
    /// Where it lands in the image, when the Dockerfile says.
    pub destination: Option<String>,
}

/// An external image the Dockerfile builds on, and the finding that reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRefFound {
    /// The finding's id.
    pub finding_id: String,
    /// The reference, variables expanded.
    pub reference: String,
}

/// The checklist with the downloads and base images it names, for `vouch attest`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Analysis {
    /// The findings, in file order.
    pub findings: Vec<Finding>,
    /// Every download.
    pub downloads: Vec<DownloadRef>,
    /// Every external image.
    pub base_images: Vec<ImageRefFound>,
}

/// Like [`analyze`], with the downloads and base images behind the findings.
pub fn analyze_full(
    text: &str,
    build_args: &BTreeMap<String, String>,
) -> Result<Analysis, ParseError> {
    let parsed = parse_dockerfile::parse(text).map_err(|e| ParseError(e.to_string()))?;
    let lines = Lines::new(text);
    let starts: Vec<usize> = parsed.instructions.iter().map(keyword_start).collect();
    let mut walk = Walk {
        build_args,
        stage_names: parsed_stage_names(&parsed),
        out: Findings::default(),
        downloads: Vec::new(),
        base_images: Vec::new(),
        global: Vars::new(),
        stages: Vec::new(),
    };
    for (position, instruction) in parsed.instructions.iter().enumerate() {
        let start = starts[position];
        let end = starts.get(position + 1).copied().unwrap_or(text.len());
        let here = Here {
            line: lines.line(start),
            source: instruction_text(&text[start..end]),
        };
        walk.instruction(instruction, &here);
    }
    if let Some(last) = walk.stages.last() {
        crate::runs::check(last, &mut walk.out);
    }
    Ok(Analysis {
        findings: walk.out.done(),
        downloads: walk.downloads,
        base_images: walk.base_images,
    })
}

/// Where an instruction stands: its line and its text.
struct Here {
    line: usize,
    source: String,
}

/// A walk over a Dockerfile's instructions, in order: what it found so far, and each stage's
/// variables and what it creates, runs and downloads.
struct Walk<'a> {
    build_args: &'a BTreeMap<String, String>,
    /// Every stage alias in the file (for COPY --from=<stage>).
    stage_names: Vec<String>,
    out: Findings,
    downloads: Vec<DownloadRef>,
    base_images: Vec<ImageRefFound>,
    /// The ARGs before the first FROM.
    global: Vars,
    stages: Vec<Stage>,
}

impl Walk<'_> {
    fn push(&mut self, raw: Raw, here: &Here) -> String {
        self.out.push(raw, here.line, &here.source)
    }

    fn instruction(&mut self, instruction: &Instruction<'_>, here: &Here) {
        if let Instruction::From(from) = instruction {
            return self.from(from, here);
        }
        let Some(stage) = self.stages.last_mut() else {
            // Before the first FROM only ARG is allowed: global build arguments.
            if let Instruction::Arg(arg) = instruction {
                self.global_arg(&arg.arguments.value, here);
            }
            return;
        };
        match instruction {
            Instruction::Arg(arg) => self.arg(&arg.arguments.value, here),
            Instruction::Env(env) => self.env(&env.arguments.value, here),
            Instruction::Run(run) => self.run(run, here),
            Instruction::Add(add) => self.add(add, here),
            Instruction::Copy(copy) => self.copy(copy, here),
            Instruction::User(user) => {
                let user = expand(&user.arguments.value, &stage.vars);
                stage.user = Some((user, here.line, here.source.clone()));
            }
            Instruction::Entrypoint(e) => {
                stage.entrypoint = Some(Exec::of(&e.arguments, &stage.vars, here));
                // An ENTRYPOINT resets the CMD inherited from the base image.
                stage.cmd = None;
            }
            Instruction::Cmd(c) => stage.cmd = Some(Exec::of(&c.arguments, &stage.vars, here)),
            _ => {}
        }
    }

    /// The stage the instruction belongs to. `instruction` returns before any of the methods
    /// below is called when there is none, so this is never empty there.
    fn stage(&mut self) -> &mut Stage {
        if self.stages.is_empty() {
            self.stages.push(Stage::default());
        }
        let last = self.stages.len() - 1;
        &mut self.stages[last]
    }

    fn from(&mut self, from: &parse_dockerfile::FromInstruction<'_>, here: &Here) {
        let image = expand(&from.image.value, &self.global);
        let previous = self
            .stages
            .iter()
            .find(|s| {
                s.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&image))
            })
            .cloned();
        let mut stage = match previous {
            Some(parent) => Stage {
                name: None,
                external: false,
                ..parent
            },
            None => Stage {
                external: image != "scratch",
                vars: self.global.clone(),
                ..Stage::default()
            },
        };
        stage.name = from.as_.as_ref().map(|(_, alias)| alias.value.to_string());
        if stage.external {
            let finding_id = self.push(base_image(&image, "FROM"), here);
            self.base_images.push(ImageRefFound {
                finding_id,
                reference: image,
            });
        }
        self.stages.push(stage);
    }

    fn global_arg(&mut self, text: &str, here: &Here) {
        for (name, value) in assignments(text, &self.global) {
            let value = self
                .build_args
                .get(&name)
                .cloned()
                .or(value)
                .unwrap_or_default();
            for raw in secrets(&name, &value, "ARG") {
                self.push(raw, here);
            }
            self.global.insert(name, value);
        }
    }

    fn arg(&mut self, text: &str, here: &Here) {
        let vars = self.stage().vars.clone();
        for (name, value) in assignments(text, &vars) {
            let value = self
                .build_args
                .get(&name)
                .cloned()
                .or(value)
                .or_else(|| self.global.get(&name).cloned())
                .unwrap_or_default();
            for raw in secrets(&name, &value, "ARG") {
                self.push(raw, here);
            }
            self.stage().vars.insert(name, value);
        }
    }

    fn env(&mut self, text: &str, here: &Here) {
        let vars = self.stage().vars.clone();
        for (name, value) in assignments(text, &vars) {
            let value = value.unwrap_or_default();
            for raw in secrets(&name, &value, "ENV") {
                self.push(raw, here);
            }
            self.stage().vars.insert(name, value);
        }
    }

    fn run(&mut self, run: &parse_dockerfile::RunInstruction<'_>, here: &Here) {
        let mut script = match &run.arguments {
            Command::Exec(words) => words
                .value
                .iter()
                .map(|w| w.value.to_string())
                .collect::<Vec<_>>()
                .join(" "),
            Command::Shell(text) => text.value.to_string(),
            _ => String::new(),
        };
        for doc in &run.here_docs {
            script.push('\n');
            script.push_str(&doc.value);
        }
        let facts = rules::run(&shell::split(&expand(&script, &self.stage().vars)));
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

    fn add(&mut self, add: &parse_dockerfile::AddInstruction<'_>, here: &Here) {
        let checksum = add.options.iter().any(|f| f.name.value == "checksum");
        let vars = self.stage().vars.clone();
        let dest = expand(&add.dest.value, &vars);
        for src in &add.src {
            let Source::Path(path) = src else { continue };
            let src = expand(&path.value, &vars);
            let target = if dest.ends_with('/') {
                format!("{dest}{}", src.rsplit('/').next().unwrap_or(""))
            } else {
                dest.clone()
            };
            let remote = src.starts_with("http://")
                || src.starts_with("https://")
                || src.starts_with("git@")
                || src.ends_with(".git");
            if remote {
                self.add_download(&src, &target, checksum, here);
            }
            self.stage().created.push((target, here.line, "ADD"));
        }
    }

    /// VR302: ADD of a URL, with or without --checksum.
    fn add_download(&mut self, src: &str, target: &str, checksum: bool, here: &Here) {
        let (severity, how) = if checksum {
            (Severity::Low, "verified by ADD --checksum")
        } else {
            (Severity::High, "not verified (no --checksum)")
        };
        let finding_id = self.push(
            Raw {
                rule: &rule::DOWNLOAD_ADD,
                about: format!("{src} {target} checksum={checksum}"),
                summary: format!("ADD fetches {src} to {target}: {how}"),
                severity,
                check: ADD_CHECK.into(),
            },
            here,
        );
        self.downloads.push(DownloadRef {
            finding_id,
            url: src.to_string(),
            destination: Some(target.to_string()),
        });
        let download = Download {
            url: src.to_string(),
            dest: Some(target.to_string()),
            finding: 0,
        };
        self.stage().downloads.push((download, here.line));
    }

    fn copy(&mut self, copy: &parse_dockerfile::CopyInstruction<'_>, here: &Here) {
        let vars = self.stage().vars.clone();
        let from = copy
            .options
            .iter()
            .find(|f| f.name.value == "from")
            .and_then(|f| f.value.as_ref())
            .map(|v| expand(&v.value, &vars));
        let dest = expand(&copy.dest.value, &vars);
        if let Some(from) = from {
            let internal = from.chars().all(|c| c.is_ascii_digit())
                || self
                    .stage_names
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(&from));
            if !internal {
                let finding_id = self.push(base_image(&from, "COPY --from"), here);
                self.base_images.push(ImageRefFound {
                    finding_id,
                    reference: from,
                });
            }
        }
        for src in &copy.src {
            let target = match src {
                Source::Path(path) => {
                    let src = expand(&path.value, &vars);
                    if dest.ends_with('/') {
                        let name = src.trim_end_matches('/').rsplit('/').next().unwrap_or("");
                        format!("{dest}{name}")
                    } else {
                        dest.clone()
                    }
                }
                _ => dest.clone(),
            };
            self.stage().created.push((target, here.line, "COPY"));
        }
    }
}

/// What to check about an ADD of a URL.
const ADD_CHECK: &str = "Fetch it yourself, read what it is, and record its sha256 (--download URL=sha256:HEX); pin it in the Dockerfile with ADD --checksum=sha256:...";

impl Exec {
    fn of(arguments: &Command<'_>, vars: &Vars, here: &Here) -> Self {
        Exec {
            words: command_words(arguments, vars),
            exec_form: matches!(arguments, Command::Exec(_)),
            line: here.line,
            source: here.source.clone(),
        }
    }
}

fn parsed_stage_names(parsed: &parse_dockerfile::Dockerfile<'_>) -> Vec<String> {
    parsed
        .instructions
        .iter()
        .filter_map(|i| match i {
            Instruction::From(from) => from.as_.as_ref().map(|(_, alias)| alias.value.to_string()),
            _ => None,
        })
        .collect()
}

fn keyword_start(instruction: &Instruction<'_>) -> usize {
    match instruction {
        Instruction::Add(i) => i.add.span.start,
        Instruction::Arg(i) => i.arg.span.start,
        Instruction::Cmd(i) => i.cmd.span.start,
        Instruction::Copy(i) => i.copy.span.start,
        Instruction::Entrypoint(i) => i.entrypoint.span.start,
        Instruction::Env(i) => i.env.span.start,
        Instruction::Expose(i) => i.expose.span.start,
        Instruction::From(i) => i.from.span.start,
        Instruction::Healthcheck(i) => i.healthcheck.span.start,
        Instruction::Label(i) => i.label.span.start,
        Instruction::Maintainer(i) => i.maintainer.span.start,
        Instruction::Onbuild(i) => i.onbuild.span.start,
        Instruction::Run(i) => i.run.span.start,
        Instruction::Shell(i) => i.shell.span.start,
        Instruction::Stopsignal(i) => i.stopsignal.span.start,
        Instruction::User(i) => i.user.span.start,
        Instruction::Volume(i) => i.volume.span.start,
        Instruction::Workdir(i) => i.workdir.span.start,
        _ => 0,
    }
}

/// The instruction's text: comment lines dropped, continuations joined, at most 240 characters.
fn instruction_text(raw: &str) -> String {
    let joined: Vec<&str> = raw
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.trim_end_matches(['\\', '`']).trim_end())
        .collect();
    let text = joined.join(" ");
    match text.char_indices().nth(240) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

fn command_words(command: &Command<'_>, vars: &Vars) -> Vec<String> {
    match command {
        Command::Exec(words) => words.value.iter().map(|w| expand(&w.value, vars)).collect(),
        Command::Shell(text) => shell::split(&expand(text.value, vars))
            .into_iter()
            .next()
            .map(|c| c.words)
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// A finding's id: its rule's code and the first 10 hex digits of
/// `SHA-256(code LF what it is about)`. Neither the wording nor the line goes in, so a reworded
/// message or a moved line keeps the id.
pub(crate) fn finding_id(rule: &Rule, about: &str) -> String {
    let digest = Sha256::digest(format!("{}\n{about}", rule.code).as_bytes());
    format!("{}-{}", rule.code, &hex::encode(digest)[..10])
}

/// Collects findings and gives each its id ([`finding_id`]); a second finding with the same id
/// in one file gets `-2`, the third `-3`, in file order.
#[derive(Default)]
pub(crate) struct Findings {
    list: Vec<Finding>,
    seen: HashMap<String, usize>,
}

impl Findings {
    pub(crate) fn push(&mut self, raw: Raw, line: usize, instruction: &str) -> String {
        let mut id = finding_id(raw.rule, &raw.about);
        let count = self.seen.entry(id.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            id = format!("{id}-{count}");
        }
        self.list.push(Finding {
            id: id.clone(),
            rule: raw.rule.code.to_string(),
            kind: raw.rule.kind,
            line,
            instruction: instruction.to_string(),
            summary: raw.summary,
            severity: raw.severity,
            check: raw.check,
        });
        id
    }

    fn done(mut self) -> Vec<Finding> {
        self.list.sort_by_key(|f| (f.line == 0, f.line));
        self.list
    }
}

#[cfg(test)]
mod id_tests {
    use super::*;

    fn raw(summary: &str, check: &str) -> Raw {
        Raw {
            rule: &rule::DOWNLOAD_RUN,
            about: "curl https://example.com/tool".into(),
            summary: summary.into(),
            severity: Severity::High,
            check: check.into(),
        }
    }

    #[test]
    fn rewording_a_finding_or_moving_it_keeps_its_id() {
        let mut findings = Findings::default();
        let first = findings.push(
            raw(
                "curl fetches https://example.com/tool: not verified",
                "Fetch it.",
            ),
            3,
            "RUN curl https://example.com/tool",
        );
        let mut reworded = Findings::default();
        let second = reworded.push(
            raw(
                "an unverified download of https://example.com/tool",
                "Look at it first.",
            ),
            30,
            "RUN  curl  https://example.com/tool",
        );
        assert_eq!(first, second);
        assert_eq!(
            first,
            finding_id(&rule::DOWNLOAD_RUN, "curl https://example.com/tool")
        );
        assert!(first.starts_with("VR301-"));
        // The same thing twice in one file: -2.
        assert_eq!(
            findings.push(raw("again", "again"), 9, "RUN x"),
            format!("{first}-2")
        );
        // Another subject, or another rule, is another id.
        assert_ne!(
            finding_id(&rule::DOWNLOAD_RUN, "curl https://example.com/other"),
            first
        );
        assert_ne!(
            finding_id(&rule::DOWNLOAD_ADD, "curl https://example.com/tool"),
            first
        );
    }
}

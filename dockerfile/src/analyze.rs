//! Walking a parsed Dockerfile: stages, ARG and ENV scope, USER, ENTRYPOINT/CMD, and the
//! findings of every instruction, each with its line and a stable id.

use std::collections::{BTreeMap, HashMap};

use parse_dockerfile::{Command, Instruction, Source};
use sha2::{Digest as _, Sha256};
use vouch_proto::findings::{Finding, Severity};

use crate::checks::{base_image, secrets};
use crate::expand::{assignments, expand, Vars};
use crate::rule::{self, Rule};
use crate::rules::{self, Download, Raw};
use crate::shell;

/// Why a Dockerfile cannot be analysed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a Dockerfile Vouch can read: {0}")]
pub struct ParseError(pub String);

#[derive(Clone, Default)]
struct Stage {
    name: Option<String>,
    external: bool,
    vars: Vars,
    user: Option<(String, usize, String)>,
    entrypoint: Option<Exec>,
    cmd: Option<Exec>,
    created: Vec<(String, usize, &'static str)>,
    downloads: Vec<(Download, usize)>,
}

/// An ENTRYPOINT or CMD of a stage: its words, whether in exec form, its line and its text.
#[derive(Clone)]
struct Exec {
    words: Vec<String>,
    exec_form: bool,
    line: usize,
    source: String,
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
    let mut downloads = Vec::new();
    let mut base_images = Vec::new();
    let parsed = parse_dockerfile::parse(text).map_err(|e| ParseError(e.to_string()))?;
    let lines = Lines::new(text);
    let starts: Vec<usize> = parsed.instructions.iter().map(keyword_start).collect();
    let mut out = Findings::default();
    let mut global = Vars::new();
    let mut stages: Vec<Stage> = Vec::new();

    for (position, instruction) in parsed.instructions.iter().enumerate() {
        let start = starts[position];
        let end = starts.get(position + 1).copied().unwrap_or(text.len());
        let line = lines.line(start);
        let source = instruction_text(&text[start..end]);
        let push = |raw: Raw, out: &mut Findings| out.push(raw, line, &source);

        if let Instruction::From(from) = instruction {
            let image = expand(&from.image.value, &global);
            let previous = stages
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
                    vars: global.clone(),
                    ..Stage::default()
                },
            };
            stage.name = from.as_.as_ref().map(|(_, alias)| alias.value.to_string());
            if stage.external {
                let finding_id = push(base_image(&image, "FROM"), &mut out);
                base_images.push(ImageRefFound {
                    finding_id,
                    reference: image.clone(),
                });
            }
            stages.push(stage);
            continue;
        }
        let Some(stage) = stages.last_mut() else {
            // Before the first FROM only ARG is allowed: global build arguments.
            if let Instruction::Arg(arg) = instruction {
                for (name, value) in assignments(&arg.arguments.value, &global) {
                    let value = build_args.get(&name).cloned().or(value).unwrap_or_default();
                    secrets(&name, &value, "ARG").into_iter().for_each(|raw| {
                        push(raw, &mut out);
                    });
                    global.insert(name, value);
                }
            }
            continue;
        };
        match instruction {
            Instruction::Arg(arg) => {
                for (name, value) in assignments(&arg.arguments.value, &stage.vars) {
                    let value = build_args
                        .get(&name)
                        .cloned()
                        .or(value)
                        .or_else(|| global.get(&name).cloned())
                        .unwrap_or_default();
                    secrets(&name, &value, "ARG").into_iter().for_each(|raw| {
                        push(raw, &mut out);
                    });
                    stage.vars.insert(name, value);
                }
            }
            Instruction::Env(env) => {
                for (name, value) in assignments(&env.arguments.value, &stage.vars) {
                    let value = value.unwrap_or_default();
                    secrets(&name, &value, "ENV").into_iter().for_each(|raw| {
                        push(raw, &mut out);
                    });
                    stage.vars.insert(name, value);
                }
            }
            Instruction::Run(run) => {
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
                let facts = rules::run(&shell::split(&expand(&script, &stage.vars)));
                let ids: Vec<String> = facts
                    .findings
                    .into_iter()
                    .map(|raw| push(raw, &mut out))
                    .collect();
                for d in &facts.downloads {
                    downloads.push(DownloadRef {
                        finding_id: ids.get(d.finding).cloned().unwrap_or_default(),
                        url: d.url.clone(),
                        destination: d.dest.clone(),
                    });
                }
                stage
                    .created
                    .extend(facts.created.into_iter().map(|p| (p, line, "RUN")));
                stage
                    .downloads
                    .extend(facts.downloads.into_iter().map(|d| (d, line)));
            }
            Instruction::Add(add) => {
                let checksum = add.options.iter().any(|f| f.name.value == "checksum");
                let dest = expand(&add.dest.value, &stage.vars);
                for src in &add.src {
                    let Source::Path(path) = src else { continue };
                    let src = expand(&path.value, &stage.vars);
                    let target = if dest.ends_with('/') {
                        format!("{dest}{}", src.rsplit('/').next().unwrap_or(""))
                    } else {
                        dest.clone()
                    };
                    if src.starts_with("http://")
                        || src.starts_with("https://")
                        || src.starts_with("git@")
                        || src.ends_with(".git")
                    {
                        let (severity, how) = if checksum {
                            (Severity::Low, "verified by ADD --checksum")
                        } else {
                            (Severity::High, "not verified (no --checksum)")
                        };
                        let finding_id = push(
                            Raw {
                                rule: &rule::DOWNLOAD_ADD,
                                about: format!("{src} {target} checksum={checksum}"),
                                summary: format!("ADD fetches {src} to {target}: {how}"),
                                severity,
                                check: "Fetch it yourself, read what it is, and record its sha256 (--download URL=sha256:HEX); pin it in the Dockerfile with ADD --checksum=sha256:...".into(),
                            },
                            &mut out,
                        );
                        downloads.push(DownloadRef {
                            finding_id,
                            url: src.clone(),
                            destination: Some(target.clone()),
                        });
                        stage.downloads.push((
                            Download {
                                url: src.clone(),
                                dest: Some(target.clone()),
                                finding: 0,
                            },
                            line,
                        ));
                    }
                    stage.created.push((target, line, "ADD"));
                }
            }
            Instruction::Copy(copy) => {
                let from = copy
                    .options
                    .iter()
                    .find(|f| f.name.value == "from")
                    .and_then(|f| f.value.as_ref())
                    .map(|v| expand(&v.value, &stage.vars));
                let dest = expand(&copy.dest.value, &stage.vars);
                if let Some(from) = from {
                    let internal = from.chars().all(|c| c.is_ascii_digit())
                        || parsed_stage_names(&parsed)
                            .iter()
                            .any(|n| n.eq_ignore_ascii_case(&from));
                    if !internal {
                        let raw = base_image(&from, "COPY --from");
                        let finding_id = push(raw, &mut out);
                        base_images.push(ImageRefFound {
                            finding_id,
                            reference: from.clone(),
                        });
                    }
                }
                for src in &copy.src {
                    let Source::Path(path) = src else {
                        stage.created.push((dest.clone(), line, "COPY"));
                        continue;
                    };
                    let src = expand(&path.value, &stage.vars);
                    let target = if dest.ends_with('/') {
                        format!(
                            "{dest}{}",
                            src.trim_end_matches('/').rsplit('/').next().unwrap_or("")
                        )
                    } else {
                        dest.clone()
                    };
                    stage.created.push((target, line, "COPY"));
                }
            }
            Instruction::User(user) => {
                stage.user = Some((
                    expand(&user.arguments.value, &stage.vars),
                    line,
                    source.clone(),
                ));
            }
            Instruction::Entrypoint(e) => {
                stage.entrypoint = Some(Exec {
                    words: command_words(&e.arguments, &stage.vars),
                    exec_form: matches!(e.arguments, Command::Exec(_)),
                    line,
                    source: source.clone(),
                });
                // An ENTRYPOINT resets the CMD inherited from the base image.
                stage.cmd = None;
            }
            Instruction::Cmd(c) => {
                stage.cmd = Some(Exec {
                    words: command_words(&c.arguments, &stage.vars),
                    exec_form: matches!(c.arguments, Command::Exec(_)),
                    line,
                    source: source.clone(),
                });
            }
            _ => {}
        }
    }

    if let Some(last) = stages.last() {
        final_stage(last, &mut out);
    }
    Ok(Analysis {
        findings: out.done(),
        downloads,
        base_images,
    })
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

fn final_stage(stage: &Stage, out: &mut Findings) {
    let exec = |Exec {
                    words,
                    exec_form,
                    line,
                    source,
                }: &Exec,
                what: &str,
                out: &mut Findings| {
        let program = match words.first().map(String::as_str) {
            Some("sh" | "/bin/sh" | "bash" | "/bin/bash")
                if words.get(1).map(String::as_str) == Some("-c") =>
            {
                words.get(2).cloned().unwrap_or_default()
            }
            Some(first) => first.to_string(),
            None => String::new(),
        };
        let program = program.split_whitespace().next().unwrap_or("").to_string();
        let form = if *exec_form {
            "exec form"
        } else {
            "shell form (runs under /bin/sh -c)"
        };
        let created = stage
            .created
            .iter()
            .rev()
            .find(|(path, _, _)| *path == program || path.trim_end_matches('/') == program);
        let basename = program.rsplit('/').next().unwrap_or("");
        let elsewhere = stage
            .downloads
            .iter()
            .filter_map(|(d, l)| d.dest.as_ref().map(|dest| (dest, l)))
            .chain(stage.created.iter().map(|(p, l, _)| (p, l)))
            .find(|(dest, _)| {
                dest.rsplit('/').next() == Some(basename)
                    && **dest != program
                    && !basename.is_empty()
            });
        let script = program.ends_with(".sh") || program.ends_with(".py");
        let (summary, severity) = match (created, elsewhere) {
            (Some((_, at, by)), _) => (format!("{what} runs {program} ({form}), written by the {by} at line {at}"), if script || *by != "RUN" { Severity::Medium } else { Severity::Low }),
            (None, Some((dest, at))) if program.starts_with('/') => (
                format!("{what} runs {program} ({form}), but no instruction creates that path: line {at} wrote {dest}"),
                Severity::High,
            ),
            _ if program.is_empty() => (format!("{what} is empty ({form})"), Severity::Low),
            _ if program.starts_with('/') => (format!("{what} runs {program} ({form}), which comes from the base image"), Severity::Low),
            _ => (format!("{what} runs {program} ({form}), found through PATH in the image"), Severity::Low),
        };
        let instruction = if what.starts_with("CMD") {
            "CMD"
        } else {
            "ENTRYPOINT"
        };
        out.push(
            Raw {
                rule: &rule::RUNS,
                about: format!("{instruction} {program}"),
                summary,
                severity,
                check: "This is what the container does. Read the program or script it runs and the arguments it gets; a script copied or downloaded in must be reviewed like code.".into(),
            },
            *line,
            source,
        );
    };
    if let Some(entrypoint) = &stage.entrypoint {
        exec(entrypoint, "ENTRYPOINT", out);
    }
    if let Some(cmd) = &stage.cmd {
        let what = if stage.entrypoint.as_ref().is_some_and(|e| e.exec_form) {
            "CMD (arguments to the ENTRYPOINT)"
        } else {
            "CMD"
        };
        exec(cmd, what, out);
    }
    let _ = match &stage.user {
        Some((user, line, source)) if !matches!(user.split(':').next().unwrap_or(""), "root" | "0" | "") => out.push(
            Raw {
                rule: &rule::USER_NAMED,
                about: user.clone(),
                summary: format!("the container runs as USER {user}"),
                severity: Severity::Info,
                check: "Check that this user exists in the image and is not given root through sudo or setuid binaries.".into(),
            },
            *line,
            source,
        ),
        Some((user, line, source)) => out.push(
            Raw {
                rule: &rule::USER_ROOT,
                about: user.clone(),
                summary: format!("the container runs as root (USER {user})"),
                severity: Severity::Medium,
                check: "A process running as root in the container is one kernel bug away from root on the host. Can it run as an unprivileged user?".into(),
            },
            *line,
            source,
        ),
        None => out.push(
            Raw {
                rule: &rule::USER_MISSING,
                about: String::new(),
                summary: "no USER in the final stage: the container runs as the base image's user, usually root".into(),
                severity: Severity::Medium,
                check: "A process running as root in the container is one kernel bug away from root on the host. Can it run as an unprivileged user?".into(),
            },
            0,
            "",
        ),
    };
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
struct Findings {
    list: Vec<Finding>,
    seen: HashMap<String, usize>,
}

impl Findings {
    fn push(&mut self, raw: Raw, line: usize, instruction: &str) -> String {
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

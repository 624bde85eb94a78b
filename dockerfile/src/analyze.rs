//! Walking a Dockerfile's instructions as BuildKit runs them: stages, ARG and ENV scope,
//! USER, WORKDIR, SHELL, ENTRYPOINT/CMD/HEALTHCHECK, ONBUILD triggers, and the findings of
//! every instruction, each with its line and a stable id. RUN, ADD and COPY are in `steps`.

use std::collections::BTreeMap;

use crate::base_images::base_image;
use crate::frontend::{self, Args, Instruction};
use crate::ids::Findings;
use crate::rules::{self, Download, Raw};
use crate::script::Files;
use crate::secrets::secrets;
use crate::vars::{self, Expanded, Scope};

/// Why a Dockerfile cannot be analysed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a Dockerfile Vouch can read: {0}")]
pub struct ParseError(pub String);

/// One stage: its variables and what it creates, runs and downloads.
#[derive(Clone, Default)]
pub(crate) struct Stage {
    pub(crate) name: Option<String>,
    pub(crate) external: bool,
    pub(crate) scope: Scope,
    pub(crate) user: Option<User>,
    pub(crate) entrypoint: Option<Exec>,
    pub(crate) cmd: Option<Exec>,
    pub(crate) healthcheck: Option<Exec>,
    pub(crate) created: Vec<(String, usize, &'static str)>,
    pub(crate) downloads: Vec<(Download, usize)>,
    /// Files written with known content (COPY heredocs, here-documents in RUN).
    pub(crate) files: Files,
    pub(crate) workdir: String,
    /// The SHELL, or empty for the default `/bin/sh -c`.
    pub(crate) shell: Vec<String>,
}

/// The USER of a stage.
#[derive(Clone)]
pub(crate) struct User {
    pub(crate) name: Expanded,
    pub(crate) line: usize,
    pub(crate) source: String,
}

/// An ENTRYPOINT, CMD or HEALTHCHECK: its words, form, line and text, and the shell code it is.
#[derive(Clone)]
pub(crate) struct Exec {
    pub(crate) words: Vec<String>,
    pub(crate) exec_form: bool,
    pub(crate) line: usize,
    pub(crate) source: String,
    pub(crate) script: String,
}

/// The checklist of `text`, in file order. `build_args` override ARG defaults.
pub fn analyze(
    text: &str,
    build_args: &BTreeMap<String, String>,
) -> Result<Vec<vouch_proto::findings::Finding>, ParseError> {
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
    pub findings: Vec<vouch_proto::findings::Finding>,
    /// Every download.
    pub downloads: Vec<DownloadRef>,
    /// Every external image.
    pub base_images: Vec<ImageRefFound>,
}

/// The stack the analysis runs on. Parsing shell code and walking its tree recurse once per
/// level of nesting, at most `MAX_NESTING` (script/parse.rs) levels, 4,000: 400 levels took
/// about 8 MiB in a debug build (measured), so 4,000 take about 80 MiB. Only what is used is
/// ever touched; the rest is address space.
const ANALYSIS_STACK: usize = 256 << 20;

/// Like [`analyze`], with the downloads and base images behind the findings. Runs on a thread
/// of its own with a stack sized for the deepest code it reads, whatever thread calls it.
pub fn analyze_full(
    text: &str,
    build_args: &BTreeMap<String, String>,
) -> Result<Analysis, ParseError> {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("vouch-analyze".to_string())
            .stack_size(ANALYSIS_STACK)
            .spawn_scoped(scope, || analyze_here(text, build_args));
        match thread {
            Ok(thread) => thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No thread to be had: analyse on this one (the nesting is bounded all the same).
            Err(_) => analyze_here(text, build_args),
        }
    })
}

/// [`analyze_full`] on the calling thread.
fn analyze_here(text: &str, build_args: &BTreeMap<String, String>) -> Result<Analysis, ParseError> {
    let parsed = frontend::parse(text).map_err(|e| ParseError(e.to_string()))?;
    let mut walk = Walk {
        build_args,
        escape: parsed.escape,
        stage_names: stage_names(&parsed.instructions),
        out: Findings::default(),
        downloads: Vec::new(),
        base_images: Vec::new(),
        global: Scope::global(),
        stages: Vec::new(),
        onbuild: false,
    };
    if let Some((image, line)) = &parsed.syntax {
        let here = Here {
            line: *line,
            source: format!("# syntax={image}"),
        };
        walk.image(
            image,
            "# syntax= (the front end that reads this Dockerfile)",
            &here,
        );
    }
    for instruction in &parsed.instructions {
        let here = Here {
            line: instruction.line,
            source: instruction_text(&instruction.original),
        };
        walk.instruction(instruction, &here);
    }
    if let Some(last) = walk.stages.last().cloned() {
        walk.runtime(&last);
        crate::runs::check(&last, &mut walk.out);
    }
    Ok(Analysis {
        findings: walk.out.done(),
        downloads: walk.downloads,
        base_images: walk.base_images,
    })
}

/// Where an instruction stands: its line and its text.
pub(crate) struct Here {
    pub(crate) line: usize,
    pub(crate) source: String,
}

/// A walk over a Dockerfile's instructions, in order.
pub(crate) struct Walk<'a> {
    pub(crate) build_args: &'a BTreeMap<String, String>,
    pub(crate) escape: char,
    /// Every stage alias in the file (for COPY --from=<stage>).
    pub(crate) stage_names: Vec<String>,
    pub(crate) out: Findings,
    pub(crate) downloads: Vec<DownloadRef>,
    pub(crate) base_images: Vec<ImageRefFound>,
    /// The ARGs before the first FROM.
    pub(crate) global: Scope,
    pub(crate) stages: Vec<Stage>,
    /// Walking an ONBUILD trigger: findings say it runs in child images.
    pub(crate) onbuild: bool,
}

impl Walk<'_> {
    pub(crate) fn push(&mut self, mut raw: Raw, here: &Here) -> String {
        if self.onbuild {
            raw.about = format!("onbuild {}", raw.about);
            raw.summary = format!(
                "ONBUILD (runs when an image is built FROM this one): {}",
                raw.summary
            );
        }
        self.out.push(raw, here.line, &here.source)
    }

    fn instruction(&mut self, instruction: &Instruction, here: &Here) {
        if instruction.keyword == "from" {
            return self.from(instruction, here);
        }
        if self.stages.is_empty() {
            // Before the first FROM only ARG is allowed: global build arguments.
            if instruction.keyword == "arg" {
                self.arg(&text_of(&instruction.args), here, true);
            }
            return;
        }
        let text = text_of(&instruction.args);
        match instruction.keyword.as_str() {
            "arg" => self.arg(&text, here, false),
            "env" => self.env(&text, here),
            "run" => self.run(instruction, here),
            "add" => self.add(instruction, here),
            "copy" => self.copy(instruction, here),
            "user" => {
                let name = vars::expand(&text, self.escape, &self.stage().scope);
                let (line, source) = (here.line, here.source.clone());
                self.stage().user = Some(User { name, line, source });
            }
            "workdir" => {
                let dir = vars::expand(&text, self.escape, &self.stage().scope).text;
                let stage = self.stage();
                stage.workdir = crate::steps::resolve(&stage.workdir, &dir);
            }
            "entrypoint" => {
                let exec = self.exec(&instruction.args, here);
                let stage = self.stage();
                stage.entrypoint = Some(exec);
                // An ENTRYPOINT resets the CMD inherited from the base image.
                stage.cmd = None;
            }
            "cmd" => self.stage().cmd = Some(self.exec(&instruction.args, here)),
            "healthcheck" => self.healthcheck(instruction, here),
            "shell" => self.shell(instruction, here),
            "onbuild" => self.onbuild(instruction, here),
            _ => {}
        }
    }

    /// The stage the instruction belongs to. `instruction` returns before any of the methods
    /// below is called when there is none, so this is never empty there.
    pub(crate) fn stage(&mut self) -> &mut Stage {
        if self.stages.is_empty() {
            self.stages.push(Stage::default());
        }
        let last = self.stages.len() - 1;
        &mut self.stages[last]
    }

    /// An external image (FROM, COPY --from, RUN --mount=from, # syntax=).
    pub(crate) fn image(&mut self, image: &str, how: &str, here: &Here) {
        let finding_id = self.push(base_image(image, how), here);
        self.base_images.push(ImageRefFound {
            finding_id,
            reference: image.to_string(),
        });
    }

    fn from(&mut self, instruction: &Instruction, here: &Here) {
        let words = vars::expand_words(&text_of(&instruction.args), self.escape, &self.global);
        let Some(image) = words.first().cloned() else {
            return;
        };
        let alias = match words.get(1) {
            Some(kw) if kw.text.eq_ignore_ascii_case("as") => words.get(2).map(|a| a.text.clone()),
            _ => None,
        };
        let parent = self
            .stages
            .iter()
            .find(|s| {
                s.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&image.text))
            })
            .cloned();
        let mut stage = match parent {
            // ENV, files and the image config carry over; ARGs do not.
            Some(parent) => Stage {
                name: None,
                external: false,
                scope: Scope {
                    args: BTreeMap::new(),
                    env: parent.scope.env.clone(),
                },
                ..parent
            },
            None => Stage {
                external: !image.text.eq_ignore_ascii_case("scratch"),
                workdir: "/".into(),
                ..Stage::default()
            },
        };
        stage.name = alias;
        if stage.external {
            self.image(&image.text, "FROM", here);
            for raw in rules::code_unfixed(&image.unresolved, "the base image") {
                self.push(raw, here);
            }
        }
        self.stages.push(stage);
    }

    fn arg(&mut self, text: &str, here: &Here, global: bool) {
        let scope = if global {
            self.global.clone()
        } else {
            self.stage().scope.clone()
        };
        for (name, value) in vars::assignments(text, self.escape, &scope) {
            let inherited = self.global.args.get(&name).cloned().flatten();
            let value: Option<String> = self
                .build_args
                .get(&name)
                .cloned()
                .or(value.map(|v| v.text))
                .or(if global { None } else { inherited });
            let shown = value.clone().unwrap_or_default();
            for raw in secrets(&name, &shown, "ARG") {
                self.push(raw, here);
            }
            if !shown.is_empty() {
                if let Some(raw) = rules::config_variable(&name, &shown, "ARG") {
                    self.push(raw, here);
                }
            }
            if global {
                self.global.args.insert(name, value);
            } else {
                self.stage().scope.args.insert(name, value);
            }
        }
    }

    fn env(&mut self, text: &str, here: &Here) {
        let scope = self.stage().scope.clone();
        for (name, value) in vars::assignments(text, self.escape, &scope) {
            let value = value.unwrap_or_default();
            let mut found = secrets(&name, &value.text, "ENV");
            found.extend(rules::config_variable(&name, &value.text, "ENV"));
            found.extend(rules::url_credential(&value.text, "ENV"));
            if name == "LD_PRELOAD" {
                found.push(rules::loader_env(&value.text));
            }
            for raw in found {
                self.push(raw, here);
            }
            self.stage().scope.env.insert(name, value.text);
        }
    }

    fn exec(&mut self, args: &Args, here: &Here) -> Exec {
        let (words, exec_form, script) = match args {
            Args::Json(words) => (words.clone(), true, crate::steps::quote_words(words)),
            Args::Text(text) => {
                let first = crate::steps::first_command(text, &self.stage().scope);
                (first, false, text.clone())
            }
        };
        Exec {
            words,
            exec_form,
            line: here.line,
            source: here.source.clone(),
            script,
        }
    }

    fn healthcheck(&mut self, instruction: &Instruction, here: &Here) {
        let text = text_of(&instruction.args);
        let Some(command) = text
            .get(..3)
            .filter(|k| k.eq_ignore_ascii_case("cmd"))
            .map(|_| text[3..].trim())
        else {
            self.stage().healthcheck = None;
            return;
        };
        let args = match frontend::json_array(command) {
            Ok(Some(words)) => Args::Json(words),
            _ => Args::Text(command.to_string()),
        };
        let exec = self.exec(&args, here);
        self.stage().healthcheck = Some(exec);
    }

    fn shell(&mut self, instruction: &Instruction, here: &Here) {
        let Args::Json(words) = &instruction.args else {
            return;
        };
        let program = words
            .first()
            .map(|p| rules::program_name(p))
            .unwrap_or_default();
        let posix = crate::script::nested::SHELLS.contains(&program.as_str());
        let (severity, summary) = if posix {
            (
                vouch_proto::findings::Severity::Low,
                format!("SHELL makes RUN use {}", words.join(" ")),
            )
        } else {
            (
                vouch_proto::findings::Severity::Medium,
                format!(
                    "SHELL makes RUN use {}: later RUN lines are {program} code, read conservatively",
                    words.join(" ")
                ),
            )
        };
        let raw = Raw {
            rule: &crate::rule::SHELL,
            about: words.join(" "),
            summary,
            severity,
            check: crate::rule::SHELL.help.into(),
        };
        self.push(raw, here);
        self.stage().shell = words.clone();
    }

    /// ONBUILD: the trigger is analysed as the instruction it holds, in a copy of the stage
    /// (it runs in child images, not this one), its findings marked as such.
    fn onbuild(&mut self, instruction: &Instruction, here: &Here) {
        let Some(trigger) = &instruction.trigger else {
            return;
        };
        let raw = Raw {
            rule: &crate::rule::ONBUILD,
            about: trigger.original.clone(),
            summary: format!(
                "ONBUILD {}: runs in every image built FROM this one",
                instruction_text(&trigger.original)
            ),
            severity: vouch_proto::findings::Severity::Medium,
            check: crate::rule::ONBUILD.help.into(),
        };
        self.push(raw, here);
        if matches!(trigger.keyword.as_str(), "from" | "onbuild") {
            return;
        }
        let saved = self.stages.clone();
        self.onbuild = true;
        self.instruction(trigger, here);
        self.onbuild = false;
        self.stages = saved;
    }

    /// What the final stage runs when the container runs: ENTRYPOINT, CMD and HEALTHCHECK,
    /// read as code (a fetch there is a VR304 finding).
    fn runtime(&mut self, stage: &Stage) {
        let execs = [&stage.entrypoint, &stage.cmd, &stage.healthcheck];
        for exec in execs.into_iter().flatten() {
            let script =
                crate::script::read(&exec.script, &stage.scope, &stage.files, Default::default());
            let facts = rules::run(&script, rules::When::Runtime);
            let here = Here {
                line: exec.line,
                source: exec.source.clone(),
            };
            for raw in facts.findings.into_iter().filter(|f| {
                matches!(
                    f.rule.kind,
                    vouch_proto::findings::FindingKind::Download
                        | vouch_proto::findings::FindingKind::Code
                )
            }) {
                self.push(raw, &here);
            }
        }
        if let Some(check) = &stage.healthcheck {
            let raw = Raw {
                rule: &crate::rule::HEALTHCHECK,
                about: check.words.join(" "),
                summary: format!("HEALTHCHECK runs {}", check.words.join(" ")),
                severity: vouch_proto::findings::Severity::Low,
                check: crate::rule::HEALTHCHECK.help.into(),
            };
            let here = Here {
                line: check.line,
                source: check.source.clone(),
            };
            self.push(raw, &here);
        }
    }
}

/// The shell-form text of arguments (JSON forms joined by spaces).
pub(crate) fn text_of(args: &Args) -> String {
    match args {
        Args::Text(text) => text.clone(),
        Args::Json(words) => words.join(" "),
    }
}

fn stage_names(instructions: &[Instruction]) -> Vec<String> {
    instructions
        .iter()
        .filter(|i| i.keyword == "from")
        .filter_map(|i| {
            let text = text_of(&i.args);
            let words: Vec<&str> = text.split_whitespace().collect();
            match words.as_slice() {
                [_, kw, alias, ..] if kw.eq_ignore_ascii_case("as") => Some(alias.to_string()),
                _ => None,
            }
        })
        .collect()
}

/// The instruction's text: whitespace runs collapsed, at most 240 characters.
fn instruction_text(raw: &str) -> String {
    let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(240) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

//! Code the review cannot read line by line (rules VR701-VR703): scripts that did not parse,
//! code built from strings or read from a pipe, inline interpreter code, commands whose name is
//! decided at build time, values the Dockerfile does not fix; and which downloads are run as
//! code (`curl | sh`, `sh -c "$(curl ...)"`, `eval`, `source <(curl ...)`).

use vouch_proto::findings::Severity;

use super::{program_name, At, Raw, RunFacts, When};
use crate::rule;
use crate::script::nested::SHELLS;
use crate::script::{Cmd, Script, Value};
use crate::vars::{Unresolved, Why};

/// Interpreters and the options that hand them code inline.
const INTERPRETERS: &[(&str, &[&str])] = &[
    ("python", &["-c"]),
    ("pypy", &["-c"]),
    ("perl", &["-e", "-E"]),
    ("ruby", &["-e"]),
    ("node", &["-e", "--eval", "-p", "--print"]),
    ("nodejs", &["-e", "--eval", "-p", "--print"]),
    ("deno", &["eval"]),
    ("bun", &["-e", "--eval"]),
    ("php", &["-r"]),
    ("lua", &["-e"]),
    ("rscript", &["-e"]),
    (
        "pwsh",
        &["-c", "-command", "-encodedcommand", "-enc", "-e", "-ec"],
    ),
    (
        "powershell",
        &["-c", "-command", "-encodedcommand", "-enc", "-e", "-ec"],
    ),
    ("tclsh", &[]),
    ("awk", &[]),
];

/// Names in inline code that reach the network.
const NETWORK_APIS: [&str; 24] = [
    "urllib",
    "urlopen",
    "requests.",
    "http.client",
    "httplib",
    "socket",
    "lwp::",
    "http::tiny",
    "net::http",
    "open-uri",
    "uri.open",
    "fetch(",
    "https.get",
    "http.get",
    "axios",
    "invoke-webrequest",
    "invoke-restmethod",
    "webclient",
    "downloadstring",
    "downloadfile",
    "start-bitstransfer",
    "iwr ",
    "irm ",
    "file_get_contents",
];

/// Names in code that run other code.
const EXEC_APIS: [&str; 7] = [
    "eval(",
    "exec(",
    "iex",
    "invoke-expression",
    "os.system",
    "subprocess",
    "system(",
];

/// The interpreter family of a program name (`python3.12` is `python`), if it is one.
fn family(program: &str) -> Option<(&'static str, &'static [&'static str])> {
    let lower = program.to_ascii_lowercase();
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    INTERPRETERS
        .iter()
        .find(|(name, _)| {
            *name == stem || (*name == "awk" && matches!(stem, "gawk" | "mawk" | "nawk"))
        })
        .copied()
}

/// Whether `program` is an interpreter that can run code it is handed.
pub(crate) fn is_interpreter(program: &str) -> bool {
    family(program).is_some()
}

/// The code an interpreter command runs inline, and how it was handed over.
fn inline(cmd: &Cmd, program: &str) -> Option<(Value, &'static str)> {
    let (name, flags) = family(program)?;
    let args = &cmd.words[1..];
    if name == "awk" {
        let code = args.iter().find(|a| !a.text.starts_with('-'))?;
        return code
            .text
            .contains("system")
            .then(|| (code.clone(), "awk program"));
    }
    for (i, arg) in args.iter().enumerate() {
        let lower = arg.text.to_ascii_lowercase();
        if flags.contains(&lower.as_str()) {
            let how = if lower.starts_with("-e") && name.starts_with("pow")
                || lower == "-ec"
                || lower.contains("encoded")
            {
                "encoded command"
            } else {
                "inline code"
            };
            if name.starts_with("pw") || name.starts_with("pow") {
                // PowerShell takes the rest of the command line as the command.
                let rest = args.get(i + 1..).unwrap_or_default();
                let mut code = rest.first()?.clone();
                for more in &rest[1..] {
                    code.text.push(' ');
                    code.text.push_str(&more.text);
                    code.from.extend(more.from.iter().copied());
                    code.opaque |= more.opaque;
                }
                return Some((code, how));
            }
            return args.get(i + 1).map(|code| (code.clone(), how));
        }
    }
    None
}

/// Whether `cmd` reads code from its standard input: a shell or interpreter with no code
/// argument and no script file, or one told to read `-` or `/dev/stdin`.
fn reads_code_from_stdin(cmd: &Cmd) -> bool {
    let program = program_name(cmd.program());
    let shell = SHELLS.contains(&program.as_str());
    if !shell && family(&program).is_none() && !matches!(program.as_str(), "source" | ".") {
        return false;
    }
    let args: Vec<&str> = cmd.words[1..].iter().map(|w| w.text.as_str()).collect();
    if args.iter().any(|a| *a == "/dev/stdin" || *a == "-") {
        return true;
    }
    if matches!(program.as_str(), "source" | ".") {
        return false;
    }
    if inline(cmd, &program).is_some()
        || (shell
            && args
                .iter()
                .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('c')))
    {
        return false;
    }
    let operand = args
        .iter()
        .find(|a| !a.starts_with('-') && !a.starts_with('+'));
    operand.is_none() || args.contains(&"-s")
}

/// The words of `cmd` that are code: a shell's `-c` string or script, `eval`'s arguments,
/// what `source` reads, an interpreter's inline code.
fn code_words(cmd: &Cmd) -> Vec<&Value> {
    let program = program_name(cmd.program());
    let args = &cmd.words[1..];
    if SHELLS.contains(&program.as_str()) || matches!(program.as_str(), "eval" | "source" | ".") {
        return args
            .iter()
            .filter(|a| !a.text.starts_with('-') || !a.from.is_empty())
            .collect();
    }
    if family(&program).is_some() {
        return args.iter().filter(|a| !a.from.is_empty()).collect();
    }
    if !cmd.words[0].from.is_empty() {
        return vec![&cmd.words[0]];
    }
    Vec::new()
}

/// Whether command `j` reads, through its pipeline, the output of command `index`: the
/// programs in between if so.
fn reads_output(script: &Script, j: usize, index: usize) -> Option<Vec<String>> {
    let mut through = Vec::new();
    let mut k = script.cmds[j].stdin_from;
    for _ in 0..8 {
        match k {
            Some(i) if i == index => return Some(through),
            Some(i) if i > index => {
                through.push(program_name(script.cmds[i].program()));
                k = script.cmds[i].stdin_from;
            }
            _ => return None,
        }
    }
    None
}

/// How the output of the download in command `index` is run as code, if it is.
pub(crate) fn runs_output_of(script: &Script, index: usize, dest: Option<&str>) -> Option<String> {
    for (j, cmd) in script.cmds.iter().enumerate().skip(index + 1) {
        let program = program_name(cmd.program());
        if reads_code_from_stdin(cmd) {
            if let Some(through) = reads_output(script, j, index) {
                return Some(if through.is_empty() {
                    format!("piped straight into {program}")
                } else {
                    format!("piped through {} into {program}", through.join(", "))
                });
            }
        }
        if code_words(cmd).iter().any(|w| w.from.contains(&index)) {
            return Some(format!("its output is run as code by {program}"));
        }
        let _ = dest;
    }
    None
}

/// The program that runs the file `dest` after command `index` wrote it: run as a program,
/// or handed to a shell, an interpreter, `source` or `.`.
pub(crate) fn runs_file(script: &Script, index: usize, dest: &str) -> Option<String> {
    let name = dest.rsplit('/').next().unwrap_or(dest);
    let same = |w: &str| {
        w == dest
            || (!name.is_empty()
                && w.rsplit('/').next() == Some(name)
                && (w.starts_with("./") || !dest.starts_with('/') || w == dest))
    };
    script.cmds.iter().skip(index + 1).find_map(|cmd| {
        let program = program_name(cmd.program());
        if same(cmd.program()) {
            return Some(cmd.program().to_string());
        }
        let runner = SHELLS.contains(&program.as_str())
            || family(&program).is_some()
            || matches!(program.as_str(), "source" | ".");
        let operand = cmd.words[1..].iter().find(|w| !w.text.starts_with('-'))?;
        (runner && same(&operand.text)).then_some(program)
    })
}

/// VR702 (and VR301 for inline code that fetches): code from strings, pipes and inline code.
pub(super) fn check(at: &At<'_>, facts: &mut RunFacts) {
    let cmd = at.cmd;
    let fetched = |v: &Value| {
        v.from
            .iter()
            .any(|i| super::downloads::fetches(at.script, *i))
    };
    if !cmd.words[0].is_literal() && !fetched(&cmd.words[0]) {
        let what = format!(
            "runs a command whose name is decided when it runs: {}",
            short(&at.words.join(" "))
        );
        generated(at, what, Severity::High, facts);
        return;
    }
    if let Some((code, how)) = inline(cmd, at.program) {
        if fetched(&code) {
            return;
        }
        if !code.is_literal() {
            let what = format!(
                "{} runs {how} built when it runs: {}",
                at.program,
                short(&code.text)
            );
            return generated(at, what, Severity::High, facts);
        }
        facts
            .findings
            .extend(inline_code(at.program, &code.text, how, at.when));
        return;
    }
    for word in code_words(cmd) {
        if !word.is_literal() && !fetched(word) {
            let what = format!(
                "{} runs code built when it runs: {}",
                at.program,
                short(&word.text)
            );
            return generated(at, what, Severity::High, facts);
        }
    }
    if reads_code_from_stdin(cmd) {
        stdin_code(at, facts);
    }
}

/// A shell or interpreter reading code from a here-document or a pipe.
fn stdin_code(at: &At<'_>, facts: &mut RunFacts) {
    let cmd = at.cmd;
    let shell = SHELLS.contains(&at.program);
    if let Some(doc) = &cmd.stdin_doc {
        if !shell && doc.is_literal() {
            facts.findings.extend(inline_code(
                at.program,
                &doc.text,
                "a here-document",
                at.when,
            ));
        } else if !doc.is_literal()
            && !doc
                .from
                .iter()
                .any(|i| super::downloads::fetches(at.script, *i))
        {
            let what = format!(
                "{} runs a here-document built when it runs: {}",
                at.program,
                short(&doc.text)
            );
            generated(at, what, Severity::High, facts);
        }
        return;
    }
    let Some(source) = cmd.stdin_from else { return };
    if upstream(at.script, source)
        .iter()
        .any(|i| super::downloads::fetches(at.script, *i))
    {
        return;
    }
    let first = &at.script.cmds[source];
    let literal_text = matches!(program_name(first.program()).as_str(), "echo" | "printf")
        && first.words[1..].iter().all(Value::is_literal);
    if literal_text && shell {
        return;
    }
    let pipeline: Vec<String> = upstream(at.script, source)
        .iter()
        .rev()
        .map(|i| at.script.cmds[*i].texts().join(" "))
        .collect();
    let what = format!(
        "{} runs code from its input: {} | {}",
        at.program,
        short(&pipeline.join(" | ")),
        at.program
    );
    generated(at, what, Severity::High, facts);
}

/// The commands feeding `start` through pipes, nearest first.
fn upstream(script: &Script, start: usize) -> Vec<usize> {
    let mut chain = vec![start];
    let mut k = script.cmds[start].stdin_from;
    while let Some(i) = k.filter(|i| !chain.contains(i) && chain.len() < 8) {
        chain.push(i);
        k = script.cmds[i].stdin_from;
    }
    chain
}

fn generated(at: &At<'_>, what: String, severity: Severity, facts: &mut RunFacts) {
    let when = if at.when == When::Runtime {
        " (when the container runs)"
    } else {
        ""
    };
    facts.findings.push(Raw {
        rule: &rule::GENERATED_CODE,
        about: format!("{} {}", at.program, at.words.join(" ")),
        summary: format!("{what}{when}"),
        severity,
        check: rule::GENERATED_CODE.help.into(),
    });
}

fn short(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(160) {
        Some((cut, _)) => format!("{}...", &flat[..cut]),
        None => flat,
    }
}

/// The findings for code handed to an interpreter: each URL it names is a download (at build
/// or run time), network use without a URL is one too, and any other code is to be read.
pub(crate) fn inline_code(program: &str, code: &str, how: &str, when: When) -> Vec<Raw> {
    let lower = code.to_ascii_lowercase();
    let urls: Vec<&str> = code
        .split(|c: char| c.is_whitespace() || "'\"()[]{};,`<>|".contains(c))
        .filter(|w| super::url_like(w))
        .collect();
    let api = NETWORK_APIS.iter().find(|a| lower.contains(*a));
    let runs = EXEC_APIS.iter().find(|a| lower.contains(*a));
    let (rule, tail) = match when {
        When::Build => (&rule::DOWNLOAD_RUN, ""),
        When::Runtime => (&rule::RUNTIME_FETCH, " when the container runs"),
    };
    let runs_note = runs
        .map(|r| format!(" and runs code ({r})"))
        .unwrap_or_default();
    let mut found: Vec<Raw> = urls
        .iter()
        .map(|url| Raw {
            rule,
            about: format!("{program} {url} inline"),
            summary: format!(
                "{program} {how} fetches {}{tail}{runs_note}: not verified",
                super::config::redact(url)
            ),
            severity: Severity::High,
            check: rule.help.into(),
        })
        .collect();
    if found.is_empty() {
        if let Some(api) = api {
            found.push(Raw {
                rule,
                about: format!("{program} {api} inline"),
                summary: format!(
                    "{program} {how} uses the network ({api}){tail}{runs_note}: {}",
                    short(code)
                ),
                severity: Severity::High,
                check: rule.help.into(),
            });
        }
    }
    let encoded = how.contains("encoded");
    if found.is_empty() || encoded {
        let severity = if encoded || runs.is_some() {
            Severity::High
        } else {
            Severity::Medium
        };
        found.push(Raw {
            rule: &rule::GENERATED_CODE,
            about: format!("{program} {code}"),
            summary: format!("{program} runs {how}: read it: {}", short(code)),
            severity,
            check: rule::GENERATED_CODE.help.into(),
        });
    }
    found
}

/// VR701: what could not be parsed.
pub(super) fn unreadable(script: &Script, facts: &mut RunFacts) {
    for unparsed in &script.unparsed {
        facts.findings.push(Raw {
            rule: &rule::UNREADABLE,
            about: unparsed.text.clone(),
            summary: format!(
                "could not analyse ({}): review by hand: {}",
                unparsed.error,
                short(&unparsed.text)
            ),
            severity: Severity::High,
            check: rule::UNREADABLE.help.into(),
        });
    }
}

/// VR703: `what` depends on values the Dockerfile does not fix.
pub(crate) fn unfixed(unresolved: &[Unresolved], what: &str, facts: &mut RunFacts) {
    facts.findings.extend(unfixed_findings(unresolved, what));
}

/// The VR703 findings for `what`.
pub(crate) fn unfixed_findings(unresolved: &[Unresolved], what: &str) -> Vec<Raw> {
    unresolved
        .iter()
        .filter(|u| u.why != Why::Platform)
        .map(|u| Raw {
            rule: &rule::UNFIXED_VALUE,
            about: format!("{} {what}", u.name),
            summary: format!("{what} comes from {}", u.describe()),
            severity: if u.why == Why::NoDefault {
                Severity::High
            } else {
                Severity::Medium
            },
            check: rule::UNFIXED_VALUE.help.into(),
        })
        .collect()
}

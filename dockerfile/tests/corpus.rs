//! The corpus in tests/data/dockerfiles: every file states the findings it must produce, as
//! `# expect: KIND LINE SEVERITY "part of the summary"` lines and an `# expect-count: N` line
//! (line 0 is a finding about the file as a whole, such as a missing USER).

#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use vouch_dockerfile::{analyze, Finding};

struct Expect {
    kind: String,
    line: usize,
    severity: String,
    text: String,
}

fn corpus() -> Vec<(PathBuf, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/dockerfiles");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    files.sort();
    files
}

fn expectations(text: &str) -> (Vec<Expect>, usize) {
    let mut list = Vec::new();
    let mut count = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# expect: ") {
            let (head, quoted) = rest.split_once(" \"").unwrap();
            let mut parts = head.split_whitespace();
            list.push(Expect {
                kind: parts.next().unwrap().to_string(),
                line: parts.next().unwrap().parse().unwrap(),
                severity: parts.next().unwrap().to_string(),
                text: quoted.trim_end_matches('"').to_string(),
            });
        } else if let Some(n) = line.strip_prefix("# expect-count: ") {
            count = Some(
                n.trim()
                    .parse()
                    .expect("a count (VOUCH_WRITE_IDS=1 fills in ?)"),
            );
        }
    }
    (
        list,
        count.expect("every corpus file states # expect-count"),
    )
}

/// `high`, `medium`, ... exactly; `medium+` for medium or high (an adversarial file must be
/// named by a finding that matters, whichever of the two).
fn severity_matches(found: vouch_dockerfile::Severity, expected: &str) -> bool {
    match expected.strip_suffix('+') {
        Some(floor) => {
            let floor = match floor {
                "low" => vouch_dockerfile::Severity::Low,
                "medium" => vouch_dockerfile::Severity::Medium,
                _ => vouch_dockerfile::Severity::High,
            };
            found >= floor
        }
        None => format!("{found:?}").eq_ignore_ascii_case(expected),
    }
}

fn show(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "  {} {} {:?}: {}",
                f.kind.as_str(),
                f.line,
                f.severity,
                f.summary
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_corpus_file_gives_exactly_its_expected_findings() {
    let files = corpus();
    assert!(files.len() >= 150, "the corpus has {} files", files.len());
    let mut failures = Vec::new();
    for (path, text) in files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let findings = analyze(&text, &BTreeMap::new()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (expected, count) = expectations(&text);
        let mut used = vec![false; findings.len()];
        for e in &expected {
            let hit = findings.iter().enumerate().position(|(i, f)| {
                !used[i]
                    && f.kind.as_str() == e.kind
                    && f.line == e.line
                    && severity_matches(f.severity, &e.severity)
                    && f.summary.contains(&e.text)
            });
            match hit {
                Some(i) => used[i] = true,
                None => failures.push(format!(
                    "{name}: no {} finding at line {} ({}) containing {:?}; found:\n{}",
                    e.kind,
                    e.line,
                    e.severity,
                    e.text,
                    show(&findings)
                )),
            }
        }
        if findings.len() != count {
            failures.push(format!(
                "{name}: expected {count} findings, found:\n{}",
                show(&findings)
            ));
        }
        for finding in &findings {
            let rule = vouch_dockerfile::rule::by_code(&finding.rule)
                .unwrap_or_else(|| panic!("{name}: no rule {}", finding.rule));
            assert_eq!(rule.kind, finding.kind, "{name}: {}", finding.id);
            assert!(
                finding.id.starts_with(&format!("{}-", rule.code)),
                "{name}: {}",
                finding.id
            );
            assert!(!finding.check.is_empty());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The ids each corpus file lists in its `# expect-ids:` line are exactly the ones found, in
/// order: the known-answer test that pins the id format (rule code + what a finding is about).
/// `VOUCH_WRITE_IDS=1` rewrites the lines instead (only for a deliberate change of format).
#[test]
fn every_corpus_file_gives_exactly_its_listed_ids() {
    let write = std::env::var_os("VOUCH_WRITE_IDS").is_some();
    for (path, text) in corpus() {
        let ids: Vec<String> = analyze(&text, &BTreeMap::new())
            .unwrap()
            .into_iter()
            .map(|f| f.id)
            .collect();
        let line = format!("# expect-ids: {}", ids.join(" "));
        if write {
            let count = format!("# expect-count: {}", ids.len());
            let mut lines: Vec<&str> = text
                .lines()
                .filter(|l| !l.starts_with("# expect-ids:"))
                .map(|l| {
                    if l == "# expect-count: ?" {
                        count.as_str()
                    } else {
                        l
                    }
                })
                .collect();
            let at = lines
                .iter()
                .position(|l| l.starts_with("# expect-count:"))
                .map_or(lines.len(), |i| i + 1);
            lines.insert(at, &line);
            std::fs::write(&path, lines.join("\n") + "\n").unwrap();
            continue;
        }
        let listed = text
            .lines()
            .find(|l| l.starts_with("# expect-ids:"))
            .unwrap_or_else(|| {
                panic!(
                    "{}: no # expect-ids line (VOUCH_WRITE_IDS=1 writes them)",
                    path.display()
                )
            });
        assert_eq!(listed.trim_end(), line.trim_end(), "{}", path.display());
    }
}

#[test]
fn ids_are_stable_across_runs_and_unrelated_edits() {
    for (path, text) in corpus() {
        let first = analyze(&text, &BTreeMap::new()).unwrap();
        let again = analyze(&text, &BTreeMap::new()).unwrap();
        assert_eq!(first, again, "{}", path.display());
        let ids: std::collections::HashSet<_> = first.iter().map(|f| &f.id).collect();
        assert_eq!(ids.len(), first.len(), "{}: ids are unique", path.display());
        // A comment added at the top moves every line but changes no id.
        if !text.starts_with("# escape") && !text.starts_with("# syntax") {
            let moved = analyze(&format!("# reviewed copy\n\n{text}"), &BTreeMap::new()).unwrap();
            let before: Vec<_> = first.iter().map(|f| &f.id).collect();
            let after: Vec<_> = moved.iter().map(|f| &f.id).collect();
            assert_eq!(before, after, "{}", path.display());
        }
    }
}

#[test]
fn build_args_override_defaults() {
    let text = "ARG TAG=1.0\nFROM alpine:${TAG}\nUSER app\n";
    let default = analyze(text, &BTreeMap::new()).unwrap();
    assert!(default[0].summary.contains("alpine:1.0"));
    let pinned = analyze(
        text,
        &[("TAG".to_string(), format!("3.20@sha256:{}", "a".repeat(64)))].into(),
    )
    .unwrap();
    assert!(
        pinned[0].summary.contains("pinned by digest"),
        "{}",
        pinned[0].summary
    );
}

#[test]
fn malformed_dockerfiles_are_errors_not_panics() {
    for text in [
        "FROM",
        "RUN echo before any FROM",
        "FROM alpine\nCOPY\n",
        "FROM alpine\nRUN <<EOF\nnever closed",
    ] {
        let _ = analyze(text, &BTreeMap::new());
    }
    assert!(analyze("FROM alpine\nNOTANINSTRUCTION x\n", &BTreeMap::new()).is_err());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

    #[test]
    fn the_analyzer_never_panics_on_arbitrary_text(text in "\\PC{0,400}") {
        let _ = analyze(&text, &BTreeMap::new());
    }

    #[test]
    fn the_analyzer_never_panics_on_dockerfile_shaped_text(
        lines in proptest::collection::vec(
            proptest::sample::select(vec![
                "FROM alpine", "FROM x AS y", "FROM y", "RUN curl -o /x https://a/b | sh", "RUN <<EOF", "EOF",
                "USER root", "USER", "ENTRYPOINT [\"/x\"]", "CMD x", "ENV A=$B", "ARG B=${C:-", "ADD https://x /y",
                "COPY --from=y /a /b", "RUN chmod 4755 /x \\", "  && useradd -G sudo u", "# escape=`", "RUN echo '", "\"",
            ]),
            0..30,
        )
    ) {
        let _ = analyze(&lines.join("\n"), &BTreeMap::new());
    }
}

/// Inputs the fuzzer once crashed the analysis with (tests/data/fuzz-regressions): each must
/// give an answer or an error, never a panic.
#[test]
fn fuzzer_findings_stay_fixed() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/fuzz-regressions");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let _ = analyze(&String::from_utf8_lossy(&bytes), &BTreeMap::new());
        seen += 1;
    }
    assert!(seen > 0);
}

/// The URL every variant below fetches.
const VARIANT_URL: &str = "https://dl.example.com/tool.tgz";

/// Ways of writing the URL as a shell word (and the ARG/ENV lines some of them need).
fn url_forms() -> Vec<(&'static str, String)> {
    vec![
        ("", VARIANT_URL.to_string()),
        ("", format!("'{VARIANT_URL}'")),
        ("", format!("\"{VARIANT_URL}\"")),
        ("", "\"https://dl.example.com/\"'tool.tgz'".to_string()),
        ("", "https://dl.example.com/tool\\.tgz".to_string()),
        (
            "ARG V=tool.tgz\n",
            "https://dl.example.com/${V}".to_string(),
        ),
        (
            "ENV HOST=dl.example.com\n",
            "https://$HOST/tool.tgz".to_string(),
        ),
        (
            "ARG U=https://dl.example.com/tool.tgz\n",
            "\"$U\"".to_string(),
        ),
    ]
}

/// Wraps a command the way an author might.
fn wrap(inner: &str, how: usize) -> String {
    let escaped = inner
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('$', "\\$");
    match how {
        0 => inner.to_string(),
        1 => format!("sudo -E {inner}"),
        2 => format!("env A=1 timeout 30 {inner}"),
        3 => format!("if true; then {inner}; fi"),
        4 => format!("for i in 1; do {inner}; done"),
        5 => format!("sh -c \"{escaped}\""),
        6 => format!("bash -ec \"{escaped}\""),
        7 => format!("( cd /tmp && {inner} )"),
        8 => format!("{{ {inner}; }}"),
        9 => format!("eval \"{escaped}\""),
        10 => format!("true && {inner} || echo failed"),
        11 => format!("nohup nice {inner}"),
        _ => format!("f() {{ {inner}; }}; f"),
    }
}

/// The RUN instruction around the script: one line, a continuation (with a comment or an
/// empty line inside), or a heredoc.
fn instruction(script: &str, how: usize) -> String {
    match how {
        0 => format!("RUN {script}"),
        1 => format!("run {script}"),
        2 => format!("RUN {}", script.replacen(" -o ", " \\\n    -o ", 1)),
        3 => format!(
            "RUN {}",
            script.replacen(" -o ", " \\\n# a comment\n    -o ", 1)
        ),
        4 => format!("RUN {}", script.replacen(" -o ", " \\  \n\n    -o ", 1)),
        5 => format!("RUN <<EOF\n{script}\nEOF"),
        _ => format!("RUN bash <<'EOF'\n{script}\nEOF"),
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

    /// However the download is wrapped, quoted, continued or fed in, it is named (rule VR301)
    /// at the RUN's line with its URL.
    #[test]
    fn a_known_download_is_named_in_every_variant(
        form in 0usize..8,
        tool in 0usize..3,
        outer in 0usize..13,
        inner in 0usize..13,
        layout in 0usize..7,
    ) {
        // A prefix wrapper (sudo, env, nohup) takes a simple command, not a compound one.
        let simple = [0, 1, 2, 5, 6, 9, 11].contains(&inner);
        proptest::prop_assume!(simple || ![1, 2, 11].contains(&outer));
        let (prelude, url) = url_forms().swap_remove(form);
        let fetch = match tool {
            0 => format!("curl -fsSL -o /t {url}"),
            1 => format!("wget -q -o /dev/null -O /t {url}"),
            _ => format!("busybox wget -o /t {url}"),
        };
        // Heredoc layouts take the script verbatim; a quoted heredoc must not expand $U.
        let script = wrap(&wrap(&fetch, inner), outer);
        let text = format!("FROM alpine:3.20\n{prelude}{}\nUSER app\n", instruction(&script, layout));
        let line = 2 + prelude.lines().count();
        let findings = analyze(&text, &BTreeMap::new()).unwrap();
        let named = findings.iter().any(|f| {
            f.rule == "VR301" && f.line == line && f.summary.contains(VARIANT_URL)
        });
        proptest::prop_assert!(named, "not named:\n{text}\nfound:\n{}", show(&findings));
    }
}

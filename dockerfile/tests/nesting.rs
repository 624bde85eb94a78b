//! Deeply nested shell code: as deep as the analysis allows, it is read in full whatever thread
//! asks (a test thread has a 2 MiB stack); deeper, it is left to a person (VR701). Before the
//! bound, 1,500 nested `{` overflowed the stack and aborted the review.

#![allow(clippy::unwrap_used, missing_docs)]

use vouch_dockerfile::analyze;

/// A Dockerfile whose RUN nests a download `depth` levels deep in the shell form `kind`.
fn nested(kind: &str, depth: usize) -> String {
    let url = "curl -fsSLo /x https://e.example/x";
    let run = match kind {
        "brace" => format!("{}{url}; {}", "{ ".repeat(depth), "}; ".repeat(depth)),
        "if" => format!(
            "{}{url}; {}",
            "if true; then ".repeat(depth),
            "fi; ".repeat(depth)
        ),
        "while" => format!(
            "{}{url}; {}",
            "while :; do ".repeat(depth),
            "done; ".repeat(depth)
        ),
        "substitution" => format!("echo {}{url}{}", "$(".repeat(depth), ")".repeat(depth)),
        _ => unreachable!(),
    };
    format!(
        "FROM alpine:3.20@sha256:{}\nRUN {run}\nUSER app\n",
        "a".repeat(64)
    )
}

#[test]
fn the_deepest_nesting_allowed_is_read_and_deeper_is_left_to_a_person() {
    let rules = |text: &str| -> Vec<(String, String)> {
        let findings = analyze(text, &Default::default()).unwrap();
        findings.into_iter().map(|f| (f.rule, f.summary)).collect()
    };
    for kind in ["brace", "if", "while"] {
        let found = rules(&nested(kind, 3_990));
        let download = found.iter().any(|(_, s)| s.contains("https://e.example/x"));
        assert!(download, "{kind}: the download is found");
        assert!(!found.iter().any(|(rule, _)| rule == "VR701"), "{kind}");
    }
    // Code nested in substitutions is followed 12 levels down; the rest is left to a person.
    let found = rules(&nested("substitution", 3_990));
    let followed = found.iter().find(|(rule, _)| rule == "VR701");
    let summary = followed.map(|(_, s)| s.as_str()).unwrap_or_default();
    assert!(summary.contains("too deeply to follow"), "{summary}");
    for kind in ["brace", "if", "while", "substitution"] {
        let found = rules(&nested(kind, 10_000));
        let unreadable = found.iter().find(|(rule, _)| rule == "VR701");
        let summary = unreadable.map(|(_, s)| s.as_str()).unwrap_or_default();
        assert!(summary.contains("too deep to parse"), "{kind}: {summary}");
    }
}

//! BuildKit's reading of a Dockerfile, case by case.

use super::*;

fn run_text(text: &str) -> Vec<(String, usize, Args)> {
    parse(text)
        .unwrap()
        .instructions
        .into_iter()
        .map(|i| (i.keyword, i.line, i.args))
        .collect()
}

#[test]
fn continuations_skip_comments_and_empty_lines_and_allow_trailing_blanks() {
    let got = run_text("FROM a\nRUN one \\\n# comment\n\n  two \\  \n three\nUSER x\n");
    assert_eq!(
        got[1],
        ("run".into(), 2, Args::Text("one   two  three".into()))
    );
    assert_eq!(got[2].1, 7);
}

#[test]
fn crlf_bom_and_the_escape_directive() {
    let got = run_text("\u{feff}FROM a\r\nRUN a \\\r\n b\r\n");
    assert_eq!(got[1].2, Args::Text("a  b".into()));
    let parsed = parse("# escape=`\nFROM a\nRUN a `\n b\nRUN c \\\n").unwrap();
    assert_eq!(parsed.escape, '`');
    assert_eq!(parsed.instructions[1].args, Args::Text("a  b".into()));
    // With a backtick escape, a backslash does not continue the line.
    assert_eq!(parsed.instructions[2].args, Args::Text("c \\".into()));
}

#[test]
fn directives_only_at_the_top_and_only_once() {
    let late = parse("FROM a\n# escape=`\nRUN a `\nUSER b\n").unwrap();
    assert_eq!(late.escape, '\\');
    assert_eq!(
        late.instructions.len(),
        3,
        "the backtick did not continue the line"
    );
    assert!(
        parse("FROM a\n# escape=`\nRUN a `\n b\n").is_err(),
        "` b` is not an instruction"
    );
    assert!(parse("# escape=`\n# escape=\\\nFROM a\n").is_err());
    assert!(parse("# escape=x\nFROM a\n").is_err());
    let syntax = parse("# syntax=docker/dockerfile:1\nFROM a\n").unwrap();
    assert_eq!(syntax.syntax, Some(("docker/dockerfile:1".into(), 1)));
}

#[test]
fn heredocs_anywhere_in_the_line_and_their_bodies_are_not_instructions() {
    let parsed =
        parse("FROM a\nRUN python3 <<PY && cat <<-'EOF'\nFROM evil\nPY\n\tx\n\tEOF\nUSER u\n")
            .unwrap();
    let run = &parsed.instructions[1];
    assert_eq!(run.heredocs.len(), 2);
    assert_eq!(run.heredocs[0].content, "FROM evil\n");
    assert!(run.heredocs[0].expand && !run.heredocs[1].expand && run.heredocs[1].chomp);
    assert_eq!(parsed.instructions[2].keyword, "user");
    assert_eq!(parsed.instructions[2].line, 7);
    // `cat<<EOF` is one word that does not start with <<: BuildKit reads no heredoc.
    assert!(parse("FROM a\nRUN cat<<EOF\nUSER u\n")
        .unwrap()
        .instructions[1]
        .heredocs
        .is_empty());
    assert!(parse("FROM a\nRUN <<EOF\nnever closed\n").is_err());
}

#[test]
fn json_form_flags_and_onbuild() {
    let parsed = parse(
        "FROM a\nRUN [\"sh\", \"-c\", \"x\"] junk\nRUN --mount=type=cache,target=/c --network=none echo\nONBUILD RUN <<EOF\ny\nEOF\n",
    )
    .unwrap();
    assert_eq!(
        parsed.instructions[1].args,
        Args::Json(vec!["sh".into(), "-c".into(), "x".into()])
    );
    assert_eq!(parsed.instructions[2].flags.len(), 2);
    assert_eq!(
        parsed.instructions[2].flags[0].value.as_deref(),
        Some("type=cache,target=/c")
    );
    assert_eq!(parsed.instructions[2].args, Args::Text("echo".into()));
    let trigger = parsed.instructions[3].trigger.as_ref().unwrap();
    assert_eq!(trigger.keyword, "run");
    assert_eq!(trigger.heredocs[0].content, "y\n");
    assert!(parse("FROM a\nRUN [\"a\", 1]\n").is_err());
    // Not JSON: shell form.
    assert_eq!(
        run_text("FROM a\nRUN [ -f x ]\n")[1].2,
        Args::Text("[ -f x ]".into())
    );
}

#[test]
fn what_buildkit_refuses() {
    assert!(parse("").is_err());
    assert!(parse("# only a comment\n").is_err());
    assert!(parse("FROM a\nNOTANINSTRUCTION x\n").is_err());
}

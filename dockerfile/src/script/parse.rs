//! Parsing shell code with brush-parser, refusing the inputs on which its grammar takes
//! exponential time or panics (both found by the fuzzer) and code nested too deep for the
//! analysis's stack: the review must end, and what it cannot read is left to a person (VR701),
//! never skipped.

use brush_parser::{ast, ParserOptions, Token};

/// How many `(` may stay open in the stretch after a `((` before the code is left to a person.
///
/// brush-parser reads `((` (an arithmetic command, or `for ((`) with a PEG rule that tries each
/// `(` after it first as the start of a parenthesised group and, when that group never closes,
/// again as a plain token, with no memo: each `(` left open before the next `;` doubles the
/// work (it reads `( (` as `((` too). Measured in a release build: 12 open take 0.4 ms, 18 take
/// 25 ms, and 40 would take about a day. Balanced code has none open within a stretch; a
/// nesting of subshells that each hold a `;` has one per level.
const MAX_OPEN_IN_ARITHMETIC: usize = 12;

/// The most marks of nesting (see [`nesting_marks`]) in one piece of shell code. brush-parser
/// and the walk over its tree recurse once per level of nesting, so a deep enough nest would
/// overflow the stack and abort the review: 1,500 nested `{` did on an 8 MiB stack in a
/// release build, 500 in a debug build. The analysis runs on a stack of its own sized for this
/// bound (`ANALYSIS_STACK` in analyze.rs). A RUN holding a long script, with a `(` or `{` for
/// every function, substitution and `${...}`, can have hundreds of marks.
const MAX_NESTING: usize = 4000;

/// Parses `text` as a shell program; the error is for a person.
pub(super) fn program(text: &str) -> Result<ast::Program, String> {
    let marks = nesting_marks(text);
    if marks > MAX_NESTING {
        return Err(format!(
            "{marks} marks of nesting ({MARKS}): more than {MAX_NESTING}, too deep to parse"
        ));
    }
    let options = ParserOptions::default();
    let Ok(tokens) = brush_parser::uncached_tokenize_str(text, &options.tokenizer_options()) else {
        // The parser's own error says where tokenizing failed (no grammar runs).
        return brush_parser::Parser::new(std::io::Cursor::new(text), &options)
            .parse_program()
            .map_err(|e| e.to_string());
    };
    if let Some(fd) = fd_out_of_range(&tokens) {
        return Err(format!(
            "the redirection's file descriptor {fd} is out of range"
        ));
    }
    let open = open_in_arithmetic(&tokens);
    if open > MAX_OPEN_IN_ARITHMETIC {
        return Err(format!(
            "{open} parentheses left open after `((`: too costly to parse"
        ));
    }
    brush_parser::parse_tokens(&tokens, &options).map_err(|e| e.to_string())
}

/// What [`nesting_marks`] counts, for a person.
const MARKS: &str = "`(`, `{`, backquotes, `if`, loops, `case`";

/// How deep `text` could nest, counted so that nothing written can lower it: every `(`, `{` and
/// backquote (subshells, groups, substitutions and expansions, quoted or not) and every word
/// that opens a compound command (`if`, `while`, `until`, `for`, `select`, `case`). The words
/// that close them are not subtracted: an argument such as `fi` would otherwise hide a level.
fn nesting_marks(text: &str) -> usize {
    let brackets = text
        .bytes()
        .filter(|b| matches!(b, b'(' | b'{' | b'`'))
        .count();
    let openers = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| matches!(*word, "if" | "while" | "until" | "for" | "select" | "case"))
        .count();
    brackets + openers
}

/// A redirection's file descriptor number too large for an `i32`, as in `99999999999>file`.
/// brush-parser 0.4 reads a word of digits right before `<` or `>` as the descriptor with an
/// `unwrap` (its grammar's `io_number` rule), which panics on such a number. (bash reads it as a
/// plain word and redirects standard output instead.)
fn fd_out_of_range(tokens: &[Token]) -> Option<&str> {
    tokens.windows(2).find_map(|pair| match pair {
        [Token::Word(word, at), Token::Operator(op, next)]
            if word.bytes().all(|b| b.is_ascii_digit())
                && op.starts_with(['<', '>'])
                && at.end.index == next.start.index
                && word.parse::<i32>().is_err() =>
        {
            Some(word.as_str())
        }
        _ => None,
    })
}

/// Whether brush-parser 0.4 would panic reading the word `text`: it reads the number of a
/// directory-stack tilde (`~N`, `~+N`, `~-N`) as a `usize` with an `unwrap`. Such a word is
/// kept as written by the caller. (Brace sequences, whose numbers it reads the same way, are
/// not parsed here: words are read with `word::parse`, which leaves braces as text.)
pub(super) fn word_would_panic(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut end = 0;
    while let Some(offset) = bytes[end..].iter().position(u8::is_ascii_digit) {
        let start = end + offset;
        end = start
            + bytes[start..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
        let before = &bytes[..start];
        let before = before
            .strip_suffix(b"+")
            .or_else(|| before.strip_suffix(b"-"))
            .unwrap_or(before);
        if before.ends_with(b"~") && text[start..end].parse::<usize>().is_err() {
            return true;
        }
    }
    false
}

/// The most `(` left unclosed in the stretch from a `((` to the next `;` (where brush's
/// arithmetic scan stops), over every `((` in `tokens`. Linear: one backward pass counts, for
/// each position, the `(` up to the next `;` that no later `)` closes.
fn open_in_arithmetic(tokens: &[Token]) -> usize {
    let op =
        |i: usize, what: &str| matches!(tokens.get(i), Some(Token::Operator(s, _)) if s == what);
    let mut unclosed = vec![0; tokens.len()];
    let (mut open, mut closes) = (0, 0);
    for i in (0..tokens.len()).rev() {
        if op(i, ";") {
            (open, closes) = (0, 0);
        } else if op(i, ")") {
            closes += 1;
        } else if op(i, "(") {
            if closes > 0 {
                closes -= 1;
            } else {
                open += 1;
            }
        }
        unclosed[i] = open;
    }
    (0..tokens.len())
        .filter(|&i| op(i, "(") && op(i + 1, "("))
        .map(|i| unclosed[i])
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(text: &str) -> usize {
        open_in_arithmetic(&brush_parser::uncached_tokenize_str(text, &Default::default()).unwrap())
    }

    #[test]
    fn nesting_is_counted_without_letting_a_closer_hide_a_level() {
        // if, {, $( and both backquotes.
        assert_eq!(nesting_marks("if true; then { echo $(date) `id`; }; fi"), 5);
        assert_eq!(
            nesting_marks("for x in a; do while :; do case $x in a) ;; esac; done; done"),
            3
        );
        assert_eq!(nesting_marks("echo fi done esac ) }"), 0);
        assert_eq!(nesting_marks("echo diff iffy forward"), 0);
        let deep = "{ echo fi; ".repeat(MAX_NESTING + 1);
        let error = program(&deep).unwrap_err();
        assert!(error.contains("too deep to parse"), "{error}");
        assert!(program(&format!("{}true{}", "{ ".repeat(100), "; }".repeat(100))).is_ok());
    }

    #[test]
    fn refuses_a_descriptor_number_brush_would_panic_on() {
        let error = program("echo hi 99999999999>/tmp/x").unwrap_err();
        assert!(error.contains("file descriptor 99999999999"), "{error}");
        assert!(program("echo hi 2147483648<in").is_err());
        // In range, or not read as a descriptor (a space before `>`, quoted): parsed.
        assert!(program("echo hi 2147483647>/tmp/x").is_ok());
        assert!(program("echo 99999999999 >/tmp/x").is_ok());
        assert!(program("echo '99999999999'>/tmp/x").is_ok());
        assert!(program("echo 99999999999").is_ok());
    }

    #[test]
    fn finds_the_tilde_numbers_brush_would_panic_on() {
        let huge = "99999999999999999999";
        for word in [
            format!("~{huge}"),
            format!("~+{huge}/bin"),
            format!("~-{huge}"),
            format!("PATH=/bin:~{huge}"),
        ] {
            assert!(word_would_panic(&word), "{word}");
        }
        for word in [
            "~18446744073709551615".to_string(),
            format!("sha256:abc{huge}"),
            format!("{{1..{huge}}}"),
            huge.to_string(),
            "~1/bin".to_string(),
            String::new(),
        ] {
            assert!(!word_would_panic(&word), "{word}");
        }
    }

    #[test]
    fn the_words_refused_are_the_ones_brush_panics_on() {
        let options = ParserOptions::default();
        for word in ["~99999999999999999999", "~+99999999999999999999/bin"] {
            let parsed = std::panic::catch_unwind(|| brush_parser::word::parse(word, &options));
            assert!(
                parsed.is_err(),
                "brush no longer panics on {word}: drop the guard"
            );
        }
        for word in ["~18446744073709551615", "{1..99999999999999999999}"] {
            assert!(brush_parser::word::parse(word, &options).is_ok(), "{word}");
        }
    }

    #[test]
    fn counts_only_what_stays_open_after_a_double_paren() {
        assert_eq!(open("(( (1+2) * (3+4) ))"), 0);
        assert_eq!(open("(( ( ( 1"), 4);
        assert_eq!(open("(( ( ( 1 ; ( ( ("), 4);
        // brush reads `( (` as `((` too: unclosed subshells count the same.
        assert_eq!(open("( ( ( ( ( ( ( ( ( ( true"), 10);
        assert_eq!(open("( ( ( ( true ) ) ) )"), 0);
        assert_eq!(open("(true) (false) (true)"), 0);
        assert_eq!(open("echo '(((((('"), 0);
    }

    #[test]
    fn refuses_the_exponential_shape_at_once_and_reads_the_rest() {
        // Without the bound this takes about 2^40 steps.
        let hostile = format!("(( {}1", "( ".repeat(40));
        let error = program(&hostile).unwrap_err();
        assert!(error.contains("too costly to parse"), "{error}");
        assert!(program("for ((i = 0; i < 3; i++)); do echo $(( (i+1)*2 )); done").is_ok());
        assert!(program("((cd a && make) ; (cd b && make))").is_ok());
        // A few open ones are still parsed (and refused by the grammar, as bash would).
        assert!(program("(( ( ( 1").is_err());
    }
}

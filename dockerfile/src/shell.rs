//! Splitting a shell script (a RUN line or heredoc) into simple commands. Written by hand: the
//! shell-word crates split words but not `&&`, `||`, `;`, `|` and newlines, and a full POSIX
//! shell parser is far more than a review checklist needs. Quotes and backslashes are honoured;
//! anything unusual degrades to words, never to a panic.

/// One simple command: its words, and whether its output is piped into the next command.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SimpleCommand {
    /// The words, quotes removed.
    pub words: Vec<String>,
    /// True when followed by `|`.
    pub piped: bool,
    /// Redirection targets of `>` and `>>`.
    pub writes: Vec<String>,
}

/// Splits `script` into simple commands.
pub fn split(script: &str) -> Vec<SimpleCommand> {
    let mut commands = Vec::new();
    let mut current = SimpleCommand::default();
    let mut word = String::new();
    let mut in_word = false;
    let mut redirect = false;
    let mut chars = script.chars().peekable();

    let end_word = |current: &mut SimpleCommand,
                    word: &mut String,
                    in_word: &mut bool,
                    redirect: &mut bool| {
        if *in_word {
            let w = std::mem::take(word);
            if *redirect {
                current.writes.push(w);
                *redirect = false;
            } else {
                current.words.push(w);
            }
            *in_word = false;
        }
    };
    let finish = |commands: &mut Vec<SimpleCommand>, current: &mut SimpleCommand, piped: bool| {
        if !current.words.is_empty() || !current.writes.is_empty() {
            current.piped = piped;
            commands.push(std::mem::take(current));
        }
    };

    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => {
                            if let Some(n) = chars.next() {
                                word.push(n);
                            }
                        }
                        _ => word.push(q),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') | None => {}
                Some(n) => {
                    in_word = true;
                    word.push(n);
                }
            },
            '#' if !in_word => {
                // A comment runs to the end of the line.
                for q in chars.by_ref() {
                    if q == '\n' {
                        break;
                    }
                }
                end_word(&mut current, &mut word, &mut in_word, &mut redirect);
                finish(&mut commands, &mut current, false);
            }
            ' ' | '\t' | '\r' => end_word(&mut current, &mut word, &mut in_word, &mut redirect),
            '\n' | ';' | '(' | ')' | '{' | '}' if !in_word || c == '\n' || c == ';' => {
                end_word(&mut current, &mut word, &mut in_word, &mut redirect);
                finish(&mut commands, &mut current, false);
            }
            '&' => {
                end_word(&mut current, &mut word, &mut in_word, &mut redirect);
                if chars.peek() == Some(&'&') {
                    chars.next();
                }
                finish(&mut commands, &mut current, false);
            }
            '|' => {
                end_word(&mut current, &mut word, &mut in_word, &mut redirect);
                if chars.peek() == Some(&'|') {
                    chars.next();
                    finish(&mut commands, &mut current, false);
                } else {
                    finish(&mut commands, &mut current, true);
                }
            }
            '>' => {
                // `2>`, `>&2` and the like: only plain file targets are recorded.
                if in_word && word.chars().all(|d| d.is_ascii_digit()) {
                    word.clear();
                    in_word = false;
                } else {
                    end_word(&mut current, &mut word, &mut in_word, &mut redirect);
                }
                if chars.peek() == Some(&'>') {
                    chars.next();
                }
                if chars.peek() == Some(&'&') {
                    chars.next();
                    // `>&2`: skip the descriptor.
                    while chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                        chars.next();
                    }
                } else {
                    redirect = true;
                }
            }
            '<' => {
                end_word(&mut current, &mut word, &mut in_word, &mut redirect);
            }
            _ => {
                in_word = true;
                word.push(c);
            }
        }
    }
    end_word(&mut current, &mut word, &mut in_word, &mut redirect);
    finish(&mut commands, &mut current, false);
    commands
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(script: &str) -> Vec<Vec<String>> {
        split(script).into_iter().map(|c| c.words).collect()
    }

    #[test]
    fn splits_on_operators_and_honours_quotes() {
        assert_eq!(
            words("apt-get update && apt-get install -y 'a b' \"c\\\"d\"; echo x || true"),
            vec![
                vec!["apt-get", "update"],
                vec!["apt-get", "install", "-y", "a b", "c\"d"],
                vec!["echo", "x"],
                vec!["true"]
            ]
        );
        let piped = split("curl -fsSL https://x/install.sh | sh -s -- -y");
        assert!(piped[0].piped && !piped[1].piped);
        assert_eq!(piped[1].words[0], "sh");
        assert_eq!(
            words("a \\\n  b # comment\nc"),
            vec![vec!["a", "b"], vec!["c"]]
        );
    }

    #[test]
    fn records_redirect_targets() {
        let cmds =
            split("echo '%sudo ALL=(ALL) NOPASSWD:ALL' >> /etc/sudoers 2>/dev/null; foo >&2");
        assert_eq!(cmds[0].writes, vec!["/etc/sudoers", "/dev/null"]);
        assert_eq!(cmds[0].words, vec!["echo", "%sudo ALL=(ALL) NOPASSWD:ALL"]);
        assert!(cmds[1].writes.is_empty());
    }
}

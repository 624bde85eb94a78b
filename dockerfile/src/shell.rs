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
    let mut splitter = Splitter::default();
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => splitter.single_quoted(&mut chars),
            '"' => splitter.double_quoted(&mut chars),
            '\\' => match chars.next() {
                Some('\n') | None => {}
                Some(n) => splitter.push(n),
            },
            '#' if !splitter.in_word => {
                // A comment runs to the end of the line.
                for q in chars.by_ref() {
                    if q == '\n' {
                        break;
                    }
                }
                splitter.finish(false);
            }
            ' ' | '\t' | '\r' => splitter.end_word(),
            '\n' | ';' | '(' | ')' | '{' | '}' if !splitter.in_word || c == '\n' || c == ';' => {
                splitter.finish(false)
            }
            '&' => {
                if chars.peek() == Some(&'&') {
                    chars.next();
                }
                splitter.finish(false);
            }
            '|' => {
                let or = chars.next_if_eq(&'|').is_some();
                splitter.finish(!or);
            }
            '>' => splitter.redirection(&mut chars),
            '<' => splitter.end_word(),
            _ => splitter.push(c),
        }
    }
    splitter.finish(false);
    splitter.commands
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// The state of a split: the commands so far, the one being read, and the word being read.
#[derive(Default)]
struct Splitter {
    commands: Vec<SimpleCommand>,
    current: SimpleCommand,
    word: String,
    in_word: bool,
    /// The word being read is the target of a `>`.
    redirect: bool,
}

impl Splitter {
    fn push(&mut self, c: char) {
        self.in_word = true;
        self.word.push(c);
    }

    fn end_word(&mut self) {
        if self.in_word {
            let w = std::mem::take(&mut self.word);
            if self.redirect {
                self.current.writes.push(w);
                self.redirect = false;
            } else {
                self.current.words.push(w);
            }
            self.in_word = false;
        }
    }

    /// Ends the word and the simple command; `piped` when a `|` follows it.
    fn finish(&mut self, piped: bool) {
        self.end_word();
        if !self.current.words.is_empty() || !self.current.writes.is_empty() {
            self.current.piped = piped;
            self.commands.push(std::mem::take(&mut self.current));
        }
    }

    fn single_quoted(&mut self, chars: &mut Chars<'_>) {
        self.in_word = true;
        for q in chars.by_ref() {
            if q == '\'' {
                break;
            }
            self.word.push(q);
        }
    }

    fn double_quoted(&mut self, chars: &mut Chars<'_>) {
        self.in_word = true;
        while let Some(q) = chars.next() {
            match q {
                '"' => break,
                '\\' => {
                    if let Some(n) = chars.next() {
                        self.word.push(n);
                    }
                }
                _ => self.word.push(q),
            }
        }
    }

    /// `>`, `>>`: the next word is a file written. `2>`, `>&2` and the like: only plain file
    /// targets are recorded.
    fn redirection(&mut self, chars: &mut Chars<'_>) {
        if self.in_word && self.word.chars().all(|d| d.is_ascii_digit()) {
            self.word.clear();
            self.in_word = false;
        } else {
            self.end_word();
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
            self.redirect = true;
        }
    }
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

//! ARG and ENV substitution as Docker does it in instructions: `$NAME`, `${NAME}`,
//! `${NAME:-default}` and `${NAME:+alternative}`. Written by hand because the parser leaves
//! variables unexpanded and no maintained crate implements Docker's (not the shell's) rules.
//! Unknown variables expand to the empty string, as in a build without that argument.

use std::collections::BTreeMap;

/// The variables in scope: ARG defaults and build args, then ENV (which wins).
pub type Vars = BTreeMap<String, String>;

/// Expands the variables in `text`.
pub fn expand(text: &str, vars: &Vars) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'$') => {
                chars.next();
                out.push('$');
            }
            '$' => match chars.peek() {
                Some('{') => {
                    chars.next();
                    let mut inner = String::new();
                    let mut depth = 1;
                    for n in chars.by_ref() {
                        match n {
                            '{' => depth += 1,
                            '}' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        inner.push(n);
                    }
                    out.push_str(&braced(&inner, vars));
                }
                Some(n) if n.is_ascii_alphabetic() || *n == '_' => {
                    let mut name = String::new();
                    while let Some(&n) = chars.peek() {
                        if n.is_ascii_alphanumeric() || n == '_' {
                            name.push(n);
                            chars.next();
                        } else {
                            break;
                        }
                    }
                    out.push_str(vars.get(&name).map(String::as_str).unwrap_or(""));
                }
                _ => out.push('$'),
            },
            _ => out.push(c),
        }
    }
    out
}

fn braced(inner: &str, vars: &Vars) -> String {
    if let Some((name, default)) = inner.split_once(":-") {
        return match vars.get(name).filter(|v| !v.is_empty()) {
            Some(value) => value.clone(),
            None => expand(default, vars),
        };
    }
    if let Some((name, alternative)) = inner.split_once(":+") {
        return match vars.get(name).filter(|v| !v.is_empty()) {
            Some(_) => expand(alternative, vars),
            None => String::new(),
        };
    }
    vars.get(inner).cloned().unwrap_or_default()
}

/// Parses the `KEY=VALUE ...` (or legacy `KEY VALUE`) arguments of ENV, ARG and LABEL, with
/// quotes removed and values expanded. An ARG without a value has `None`.
pub fn assignments(text: &str, vars: &Vars) -> Vec<(String, Option<String>)> {
    let words = crate::shell::split(text)
        .into_iter()
        .flat_map(|c| c.words)
        .collect::<Vec<_>>();
    if words.len() >= 2 && !words[0].contains('=') {
        // Legacy `ENV KEY value with spaces`.
        return vec![(words[0].clone(), Some(expand(&words[1..].join(" "), vars)))];
    }
    words
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(expand(v, vars))),
            None => (w, None),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_substitution_rules() {
        let vars: Vars = [("V".into(), "1.2".into()), ("E".into(), String::new())].into();
        assert_eq!(expand("app:$V", &vars), "app:1.2");
        assert_eq!(expand("app:${V}-x", &vars), "app:1.2-x");
        assert_eq!(
            expand("${E:-def} ${MISSING:-d2} ${V:+yes} ${E:+no}", &vars),
            "def d2 yes "
        );
        assert_eq!(expand("\\$V $ $1", &vars), "$V $ $1");
        assert_eq!(expand("${unterminated", &vars), "");
    }

    #[test]
    fn assignments_handle_both_forms() {
        let vars = Vars::new();
        assert_eq!(
            assignments("A=1 B=\"two words\" C", &vars),
            vec![
                ("A".into(), Some("1".into())),
                ("B".into(), Some("two words".into())),
                ("C".into(), None)
            ]
        );
        assert_eq!(
            assignments("PATH /usr/bin:/bin", &vars),
            vec![("PATH".into(), Some("/usr/bin:/bin".into()))]
        );
    }
}

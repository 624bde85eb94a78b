//! Finding ids: a rule's code and a hash of what the finding is about, so that rewording a
//! message or moving a line keeps the id (see [`crate::rule`]).

use std::collections::HashMap;

use sha2::{Digest as _, Sha256};
use vouch_proto::findings::Finding;

use crate::rule::Rule;
use crate::rules::Raw;

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
pub(crate) struct Findings {
    list: Vec<Finding>,
    seen: HashMap<String, usize>,
}

impl Findings {
    pub(crate) fn push(&mut self, raw: Raw, line: usize, instruction: &str) -> String {
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

    pub(crate) fn done(mut self) -> Vec<Finding> {
        self.list.sort_by_key(|f| (f.line == 0, f.line));
        self.list
    }
}

#[cfg(test)]
mod id_tests {
    use super::*;
    use crate::rule;
    use vouch_proto::findings::Severity;

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

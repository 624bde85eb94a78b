//! The trust policy: which reviewer keys count, for which repositories, how many must agree,
//! what they must have checked, how old a review may be, whether base images must be trusted
//! too, and which images are trusted without a review (roots). Read from TOML (`vouchd
//! --policy FILE`), refused with the line and the reason when it cannot be met, and kept in the
//! ledger as canonical JSON so that every answer can be replayed against the policy it was
//! decided under. No I/O: the caller hands in a function that reads key files.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::digest::Digest;
use crate::findings::FindingKind;
use crate::key::{KeyId, PublicKey};

/// The policy format version this code reads.
pub const POLICY_VERSION: u32 = 1;

/// Why a policy cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}: {message}")]
pub struct PolicyError {
    /// The line of the policy file it concerns (1-based; 0 for the file as a whole).
    pub line: usize,
    /// What is wrong and what to do.
    pub message: String,
}

/// A policy, its keys read and checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Policy {
    /// The format version.
    pub version: u32,
    /// Reviewers by name.
    pub reviewers: BTreeMap<String, PolicyReviewer>,
    /// Keys that may revoke reviewer keys, by name.
    #[serde(default)]
    pub admins: BTreeMap<String, PolicyAdmin>,
    /// The rules; the most specific matching scope wins.
    pub rules: Vec<Rule>,
    /// Images trusted without a review.
    #[serde(default)]
    pub roots: Vec<Root>,
}

/// A reviewer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyReviewer {
    /// The key's id.
    pub key_id: KeyId,
    /// The public key, PEM.
    pub public_key: String,
    /// Repository globs this key may vouch for; empty for any.
    #[serde(default)]
    pub scopes: Vec<String>,
}

/// An admin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyAdmin {
    /// The key's id.
    pub key_id: KeyId,
    /// The public key, PEM.
    pub public_key: String,
}

/// What base images must be.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BaseImages {
    /// Anything.
    #[default]
    Any,
    /// Every base digest a counted review records must itself be trusted (or a root).
    Trusted,
}

/// Whether a rule's answer is to be enforced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Clients act on the answer.
    #[default]
    Enforce,
    /// Clients are told the decision but not to block on it.
    Warn,
}

impl Mode {
    /// The mode as answers name it: `enforce` or `warn`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Warn => "warn",
        }
    }
}

/// One rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rule {
    /// The repository glob it applies to (`*` is the default).
    pub scope: String,
    /// Distinct reviewer keys that must vouch.
    pub threshold: u32,
    /// Reviewers (by name) who must be among them.
    #[serde(default)]
    pub required: Vec<String>,
    /// A review older than this many seconds stops counting.
    #[serde(default)]
    pub max_age_secs: Option<u64>,
    /// Checklist kinds that must be `reviewed`, not accepted as a risk.
    #[serde(default)]
    pub require_reviewed: Vec<String>,
    /// The Dockerfile's repository and commit must be recorded.
    #[serde(default)]
    pub require_source: bool,
    /// What base images must be.
    #[serde(default)]
    pub base_images: BaseImages,
    /// Enforce or warn.
    #[serde(default)]
    pub mode: Mode,
}

/// An image trusted without a review: a digest reference, or a repository glob.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Root {
    /// `REPO@sha256:HEX`, or a repository glob.
    pub image: String,
    /// Why it is trusted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Root {
    /// The digest a root pins (`REPO@sha256:HEX`); `None` for a repository glob (or a pin that
    /// does not parse, which then covers nothing).
    pub fn pinned_digest(&self) -> Option<Digest> {
        self.image
            .rsplit_once('@')
            .and_then(|(_, digest)| digest.parse().ok())
    }

    /// Whether this root covers `digest` asked about as an image of `repository`: a pinned
    /// root covers its digest, a glob the repositories it matches. `pinned` is
    /// [`Root::pinned_digest`], passed in so that a caller deciding many questions parses it
    /// once.
    pub fn covers(
        &self,
        pinned: Option<Digest>,
        digest: &Digest,
        repository: Option<&str>,
    ) -> bool {
        if self.image.contains('@') {
            pinned == Some(*digest)
        } else {
            repository.is_some_and(|repo| glob_match(&self.image, repo))
        }
    }
}

/// A policy as vouchd loaded it, the body of a policy entry in the ledger: when, from where,
/// and the policy itself (keys included), so that any answer can be replayed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyEntry {
    /// When vouchd loaded it.
    #[serde(with = "crate::timestamp::required")]
    pub loaded_at: chrono::DateTime<chrono::Utc>,
    /// Where it came from: the file, or `--trusted-key`.
    pub source: String,
    /// The policy.
    pub policy: Policy,
}

impl PolicyEntry {
    /// The entry's bytes: compact JSON, maps in key order.
    pub fn to_bytes(&self) -> Vec<u8> {
        // Only strings, numbers, maps with string keys and plain enums: cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads an entry's bytes strictly (no repeated keys) and checks the policy.
    pub fn from_bytes(bytes: &[u8]) -> Result<PolicyEntry, String> {
        let value = crate::strict_json::from_slice(bytes).map_err(|e| e.to_string())?;
        let entry: PolicyEntry = serde_json::from_value(value).map_err(|e| e.to_string())?;
        entry.policy.check()?;
        Ok(entry)
    }
}

/// The file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: toml::Spanned<u32>,
    #[serde(default)]
    reviewers: BTreeMap<String, toml::Spanned<ReviewerEntry>>,
    #[serde(default)]
    admins: BTreeMap<String, toml::Spanned<AdminEntry>>,
    #[serde(default)]
    rules: Vec<toml::Spanned<RuleEntry>>,
    #[serde(default)]
    roots: Vec<toml::Spanned<Root>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewerEntry {
    key: String,
    #[serde(default)]
    scopes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdminEntry {
    key: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleEntry {
    scope: String,
    #[serde(default = "one")]
    threshold: u32,
    #[serde(default)]
    required: Vec<String>,
    #[serde(default)]
    max_age: Option<String>,
    #[serde(default)]
    require_reviewed: Vec<String>,
    #[serde(default)]
    require_source: bool,
    #[serde(default)]
    base_images: BaseImages,
    #[serde(default)]
    mode: Mode,
}

fn one() -> u32 {
    1
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl Policy {
    /// Reads a policy from TOML. `read_key` returns the PEM of a key given as a path (relative
    /// to the policy file; the caller resolves it); an inline PEM is used as it is.
    pub fn from_toml(
        text: &str,
        read_key: &dyn Fn(&str) -> Result<String, String>,
    ) -> Result<Policy, PolicyError> {
        let file: File = toml::from_str(text).map_err(|e| PolicyError {
            line: e.span().map_or(0, |s| line_of(text, s.start)),
            message: e.message().to_string(),
        })?;
        let at = |span: std::ops::Range<usize>| line_of(text, span.start);
        if *file.version.get_ref() != POLICY_VERSION {
            return Err(PolicyError {
                line: at(file.version.span()),
                message: format!(
                    "version {} is not one this vouch reads (it reads version {POLICY_VERSION})",
                    file.version.get_ref()
                ),
            });
        }
        let key = |what: &str, name: &str, source: &str, line: usize| {
            read_public_key(source, read_key).map_err(|message| PolicyError {
                line,
                message: format!("{what} {name}: {message}"),
            })
        };
        let mut reviewers = BTreeMap::new();
        for (name, entry) in &file.reviewers {
            let line = at(entry.span());
            let public = key("reviewer", name, &entry.get_ref().key, line)?;
            reviewers.insert(
                name.clone(),
                PolicyReviewer {
                    key_id: public.id(),
                    public_key: public.to_pem(),
                    scopes: entry.get_ref().scopes.clone(),
                },
            );
        }
        let mut admins = BTreeMap::new();
        for (name, entry) in &file.admins {
            let public = key("admin", name, &entry.get_ref().key, at(entry.span()))?;
            admins.insert(
                name.clone(),
                PolicyAdmin {
                    key_id: public.id(),
                    public_key: public.to_pem(),
                },
            );
        }
        scopes_matchable(&file, text)?;
        let mut rules = Vec::new();
        for entry in &file.rules {
            rules.push(rule(entry.get_ref(), at(entry.span()), &reviewers)?);
        }
        let roots = file.roots.iter().map(|r| r.get_ref().clone()).collect();
        let policy = Policy {
            version: POLICY_VERSION,
            reviewers,
            admins,
            rules,
            roots,
        };
        policy
            .check()
            .map_err(|message| PolicyError { line: 0, message })?;
        Ok(policy)
    }

    /// The policy `--trusted-key` stands for: these keys, any repository, threshold 1.
    pub fn of_keys(keys: &[PublicKey]) -> Policy {
        let reviewers = keys
            .iter()
            .map(|k| {
                (
                    format!("key-{}", k.id().short()),
                    PolicyReviewer {
                        key_id: k.id(),
                        public_key: k.to_pem(),
                        scopes: Vec::new(),
                    },
                )
            })
            .collect();
        Policy {
            version: POLICY_VERSION,
            reviewers,
            admins: BTreeMap::new(),
            rules: vec![Rule {
                scope: "*".into(),
                threshold: 1,
                required: Vec::new(),
                max_age_secs: None,
                require_reviewed: Vec::new(),
                require_source: false,
                base_images: BaseImages::Any,
                mode: Mode::Enforce,
            }],
            roots: Vec::new(),
        }
    }

    /// Checks a policy read back from the ledger (or built in code): keys match their ids,
    /// rules can be met.
    pub fn check(&self) -> Result<(), String> {
        if self.version != POLICY_VERSION {
            return Err(format!(
                "policy version {} is not {POLICY_VERSION}",
                self.version
            ));
        }
        for (name, r) in &self.reviewers {
            let key =
                PublicKey::from_pem(&r.public_key).map_err(|e| format!("reviewer {name}: {e}"))?;
            if key.id() != r.key_id {
                return Err(format!(
                    "reviewer {name}: the key id does not match the key"
                ));
            }
        }
        for (name, a) in &self.admins {
            let key =
                PublicKey::from_pem(&a.public_key).map_err(|e| format!("admin {name}: {e}"))?;
            if key.id() != a.key_id {
                return Err(format!("admin {name}: the key id does not match the key"));
            }
        }
        for rule in &self.rules {
            meetable(rule, &self.reviewers)?;
        }
        Ok(())
    }

    /// The canonical bytes kept in the ledger (compact JSON, maps in key order).
    pub fn canonical_bytes(&self) -> Vec<u8> {
        // The policy serializes to JSON without error: only strings, numbers, maps with
        // string keys and plain enums.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads canonical bytes back (strictly) and checks them.
    pub fn from_canonical(bytes: &[u8]) -> Result<Policy, String> {
        let value = crate::strict_json::from_slice(bytes).map_err(|e| e.to_string())?;
        let policy: Policy = serde_json::from_value(value).map_err(|e| e.to_string())?;
        policy.check()?;
        Ok(policy)
    }

    /// The rule for `repository` (a normalised repository name): the matching scope with the
    /// most literal characters, the earlier one on a tie. `None` asks for the `*` rule.
    pub fn rule_for(&self, repository: Option<&str>) -> Option<&Rule> {
        self.rules
            .iter()
            .filter(|r| match repository {
                Some(repo) => glob_match(&r.scope, repo),
                None => r.scope == "*",
            })
            .fold(None, |best: Option<&Rule>, r| match best {
                Some(b) if scope::specificity(&b.scope) >= scope::specificity(&r.scope) => Some(b),
                _ => Some(r),
            })
    }

    /// The root that covers `digest` asked about as an image of `repository`, if any: the one
    /// rule for roots, used by the trust decision and by the CLI when it checks an answer that
    /// says "a root".
    pub fn root_for(&self, digest: &Digest, repository: Option<&str>) -> Option<&Root> {
        self.roots
            .iter()
            .find(|root| root.covers(root.pinned_digest(), digest, repository))
    }

    /// The reviewer holding `key`, by name.
    pub fn reviewer(&self, key: &KeyId) -> Option<(&str, &PolicyReviewer)> {
        self.reviewers
            .iter()
            .find(|(_, r)| r.key_id == *key)
            .map(|(n, r)| (n.as_str(), r))
    }

    /// Whether `key` is an admin key.
    pub fn is_admin(&self, key: &KeyId) -> bool {
        self.admins.values().any(|a| a.key_id == *key)
    }

    /// Every key a submission may be signed with: reviewers and admins.
    pub fn keys(&self) -> Vec<PublicKey> {
        self.reviewers
            .values()
            .map(|r| r.public_key.as_str())
            .chain(self.admins.values().map(|a| a.public_key.as_str()))
            .filter_map(|pem| PublicKey::from_pem(pem).ok())
            .collect()
    }
}

/// Every repository glob of the file (reviewer scopes, rule scopes, roots that are not pinned by
/// digest) can match a repository as questions name it ([`scope::matchable`]).
fn scopes_matchable(file: &File, text: &str) -> Result<(), PolicyError> {
    let fail = |span: std::ops::Range<usize>, what: String| PolicyError {
        line: line_of(text, span.start),
        message: what,
    };
    for (name, entry) in &file.reviewers {
        for glob in &entry.get_ref().scopes {
            scope::matchable(glob)
                .map_err(|m| fail(entry.span(), format!("reviewer {name}: scope {m}")))?;
        }
    }
    for entry in &file.rules {
        scope::matchable(&entry.get_ref().scope)
            .map_err(|m| fail(entry.span(), format!("rule scope {m}")))?;
    }
    for root in file
        .roots
        .iter()
        .filter(|r| !r.get_ref().image.contains('@'))
    {
        scope::matchable(&root.get_ref().image)
            .map_err(|m| fail(root.span(), format!("root {m}")))?;
    }
    Ok(())
}

fn read_public_key(
    source: &str,
    read_key: &dyn Fn(&str) -> Result<String, String>,
) -> Result<PublicKey, String> {
    let pem = if source.trim_start().starts_with("-----BEGIN") {
        source.to_string()
    } else {
        read_key(source)?
    };
    PublicKey::from_pem(&pem).map_err(|e| format!("{source}: {e}"))
}

fn rule(
    entry: &RuleEntry,
    line: usize,
    reviewers: &BTreeMap<String, PolicyReviewer>,
) -> Result<Rule, PolicyError> {
    let fail = |message: String| PolicyError { line, message };
    let max_age_secs = match &entry.max_age {
        Some(text) => Some(duration(text).map_err(fail)?),
        None => None,
    };
    for kind in &entry.require_reviewed {
        if !FindingKind::ALL.iter().any(|k| k.as_str() == kind) {
            let known: Vec<&str> = FindingKind::ALL.iter().map(FindingKind::as_str).collect();
            return Err(fail(format!(
                "require_reviewed: {kind:?} is not a checklist kind ({})",
                known.join(", ")
            )));
        }
    }
    let rule = Rule {
        scope: entry.scope.clone(),
        threshold: entry.threshold,
        required: entry.required.clone(),
        max_age_secs,
        require_reviewed: entry.require_reviewed.clone(),
        require_source: entry.require_source,
        base_images: entry.base_images,
        mode: entry.mode,
    };
    meetable(&rule, reviewers).map_err(fail)?;
    Ok(rule)
}

/// Whether enough reviewers could ever meet `rule`.
fn meetable(rule: &Rule, reviewers: &BTreeMap<String, PolicyReviewer>) -> Result<(), String> {
    if rule.threshold == 0 {
        return Err(format!(
            "rule {}: threshold 0 would trust anything; use 1 or more",
            rule.scope
        ));
    }
    for name in &rule.required {
        if !reviewers.contains_key(name) {
            return Err(format!(
                "rule {}: required names {name:?}, which is not a reviewer",
                rule.scope
            ));
        }
    }
    let able = reviewers
        .values()
        .filter(|r| scope::could_vouch(r, &rule.scope))
        .count();
    if (rule.threshold as usize) > able {
        return Err(format!(
            "rule {}: threshold {} but only {able} reviewer(s) may vouch for {}",
            rule.scope, rule.threshold, rule.scope
        ));
    }
    if rule.required.len() > rule.threshold as usize {
        return Err(format!(
            "rule {}: more required reviewers than the threshold",
            rule.scope
        ));
    }
    Ok(())
}

impl PolicyReviewer {
    /// Whether this reviewer may vouch for `repository`.
    pub fn may_vouch_for(&self, repository: &str) -> bool {
        self.scopes.is_empty() || self.scopes.iter().any(|s| glob_match(s, repository))
    }
}

/// `90d`, `12h`, `30m`, `45s`, `2w`: seconds.
pub fn duration(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: u64 = number.parse().map_err(|_| {
        format!("max_age {text:?}: a number and a unit (s, m, h, d, w), e.g. \"90d\"")
    })?;
    let unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => {
            return Err(format!(
                "max_age {text:?}: the unit must be s, m, h, d or w"
            ))
        }
    };
    n.checked_mul(unit)
        .ok_or_else(|| format!("max_age {text:?} is too large"))
}

mod scope;
pub use scope::glob_match;

#[cfg(test)]
mod tests;

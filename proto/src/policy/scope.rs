//! Repository globs, as policies name repositories: matching one (`*` stands for any characters,
//! `/` included), how specific it is, whether a reviewer's scopes can reach it, and whether it
//! can ever match a repository as questions name it.

use super::PolicyReviewer;

/// Matches `text` against a glob where `*` stands for any characters (`/` included).
pub fn glob_match(glob: &str, text: &str) -> bool {
    let parts: Vec<&str> = glob.split('*').collect();
    if parts.len() == 1 {
        return glob == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}

pub(super) fn specificity(glob: &str) -> usize {
    glob.chars().filter(|c| *c != '*').count()
}

/// Whether a reviewer's scopes can cover some repository of `scope`.
pub(super) fn could_vouch(reviewer: &PolicyReviewer, scope: &str) -> bool {
    reviewer.scopes.is_empty()
        || reviewer
            .scopes
            .iter()
            .any(|s| glob_match(s, scope) || glob_match(scope, s) || s == "*")
}

/// Refuses a repository glob that could never match a repository as questions name it (Docker's
/// normal form, [`crate::ImageRef::repository`]): a name spelled another way (`docker.io/ubuntu`
/// is `docker.io/library/ubuntu`; `ubuntu` names no registry), or a glob whose literal start
/// names no registry or Docker Hub's legacy host. A scope that silently matched nothing would
/// leave its repositories to the `*` rule. Checked when a policy file is loaded (not when a
/// recorded policy entry is read back, so that an old ledger still audits).
pub(super) fn matchable(glob: &str) -> Result<(), String> {
    if glob == "*" || glob.starts_with('*') {
        return Ok(());
    }
    if !glob.contains('*') {
        return match crate::ImageRef::repository(glob) {
            Ok(normal) if normal == glob => Ok(()),
            Ok(normal) => Err(format!(
                "{glob:?} is not how questions name it: Docker names it {normal:?}; write that"
            )),
            Err(e) => Err(format!("{glob:?} is not a repository name: {e}")),
        };
    }
    let literal = glob.split('*').next().unwrap_or_default();
    let host = literal.split_once('/').map(|(host, _)| host);
    match host {
        Some("index.docker.io") => Err(format!(
            "{glob:?}: Docker Hub's repositories are named docker.io/..., not index.docker.io/...; write docker.io"
        )),
        Some(host) if host.contains(['.', ':']) || host == "localhost" => Ok(()),
        _ => Err(format!(
            "{glob:?} names no registry before its '*': repositories are named with their registry (docker.io/library/ubuntu, ghcr.io/acme/app), so start with the host"
        )),
    }
}

//! vouch-dockerfile: the reviewer's checklist for a Dockerfile. It finds every external base
//! image, package install (and the repositories and keys it trusts), download (and whether it is
//! verified or piped into a shell), what ENTRYPOINT/CMD run and whether the Dockerfile creates
//! them, privilege changes, and credentials or proxies in ENV/ARG.

mod analyze;
mod checks;
mod expand;
mod packages;
pub mod rule;
mod rules;
mod runs;
mod shell;

pub use analyze::{analyze, analyze_full, Analysis, DownloadRef, ImageRefFound, ParseError};
pub use vouch_proto::findings::{Finding, FindingKind, ReviewReport, Severity};

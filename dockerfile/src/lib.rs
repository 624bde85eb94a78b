//! vouch-dockerfile: the reviewer's checklist for a Dockerfile. It finds every external base
//! image, package install (and the repositories and keys it trusts), download (and whether it is
//! verified or piped into a shell), what ENTRYPOINT/CMD run and whether the Dockerfile creates
//! them, privilege changes, and credentials or proxies in ENV/ARG.
//!
//! Every check is a rule in [`rule`] (one code, one row), found by one module per family:
//! `base_images` (VR1xx), `rules/installs` (VR2xx), `rules/downloads` and the ADD step of the
//! walk in `analyze` (VR3xx), `runs` (VR401, VR501-VR503), `rules/privilege` (VR504-VR509),
//! `secrets` (VR6xx). `analyze` walks the instructions and hands each to its family; `shell`
//! splits RUN scripts, `packages` reads package-manager commands, `expand` substitutes ARG/ENV.

mod analyze;
mod base_images;
mod expand;
mod packages;
pub mod rule;
mod rules;
mod runs;
mod secrets;
mod shell;

pub use analyze::{analyze, analyze_full, Analysis, DownloadRef, ImageRefFound, ParseError};
pub use vouch_proto::findings::{Finding, FindingKind, ReviewReport, Severity};

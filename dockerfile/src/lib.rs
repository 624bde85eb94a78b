//! vouch-dockerfile: the reviewer's checklist for a Dockerfile. It finds every external base
//! image, package install (and the repositories and keys it trusts), download (and whether it is
//! verified or piped into a shell), what ENTRYPOINT/CMD run and whether the Dockerfile creates
//! them, privilege changes, and credentials or proxies in ENV/ARG.
//!
//! Every check is a rule in [`rule`] (one code, one row), found by one module per family:
//! `base_images` (VR1xx), `rules/installs` (VR2xx), `rules/downloads` and the ADD step of the
//! walk in `analyze` (VR3xx), `runs` (VR401, VR501-VR503), `rules/privilege` (VR504-VR509),
//! `secrets` (VR6xx), `rules/code` (VR7xx). `frontend` reads the file exactly as BuildKit does,
//! `analyze` and `steps` walk the instructions, `vars` scopes and substitutes ARG/ENV as BuildKit
//! does, `script` reads shell code with a real parser (brush-parser) wherever it runs, and
//! `packages` reads package-manager commands.

mod analyze;
mod base_images;
pub mod frontend;
mod ids;
mod packages;
pub mod rule;
mod rules;
mod runs;
mod script;
mod secrets;
mod steps;
mod vars;

pub use analyze::{analyze, analyze_full, Analysis, DownloadRef, ImageRefFound, ParseError};
pub use vouch_proto::findings::{Finding, FindingKind, ReviewReport, Severity};

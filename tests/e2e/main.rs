//! End-to-end tests: they run the real `vouch` and `vouchd` binaries (built by
//! `cargo build --workspace`) and real peer tools (OpenSSL, Python securesystemslib, the SARIF
//! schema, Debian's docker-registry).
//!
//! Where a new test goes: one module per area, named for what it drives. `support` has the
//! shared pieces (a private `Home`, a running `Daemon`, a lying `Proxy`, a real `Registry`,
//! peer lookups that skip outside CI and fail in it). Daemon answers: `daemon`, `openapi`, `policy`, `policy_reload` and `revocation` (the trust policy);
//! attacks on the daemon: `hardening` (wrong answers), `stall` (slow clients), `resources` (file descriptors), `lying` (what
//! the CLI believes of a dishonest daemon), `names` (one name per image); the ledger file: `ledger`; reviews and keys:
//! `attest`, `checklist`, `review`, `keys`, `verify`, `schema`; the reviewer's machine as hostile
//! input: `reviewer`, `registry`, `registry_hostile`; other verifiers: `peers`; consumers:
//! `pull` and `pull_entry` (real engines), `export`, `publish`; generated docs: `docs`. Logic that needs no binary belongs in the crate's own unit tests instead.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod attest;
mod checklist;
mod config;
mod daemon;
mod docs;
mod export;
mod hardening;
mod import;
mod keys;
mod ledger;
mod lying;
mod names;
mod openapi;
mod package;
mod peers;
mod policy;
mod policy_reload;
mod publish;
mod pull;
mod pull_entry;
mod registry;
mod registry_hostile;
mod resources;
mod review;
mod reviewer;
mod revocation;
mod saved_index;
mod schema;
mod signatures;
mod stall;
mod support;
mod systemd;
mod verify;

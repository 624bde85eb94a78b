//! End-to-end tests: they run the real `vouch` and `vouchd` binaries (built by
//! `cargo build --workspace`) and real peer tools (OpenSSL, Python securesystemslib).

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod attest;
mod checklist;
mod daemon;
mod docs;
mod hardening;
mod keys;
mod ledger;
mod lying;
mod openapi;
mod peers;
mod registry;
mod registry_hostile;
mod review;
mod reviewer;
mod schema;
mod stall;
mod support;
mod verify;

//! vouch-ledger: Vouch's append-only, tamper-evident ledger. SQLite holds every entry exactly as
//! received, the RFC 9162 Merkle tree's stored hashes and a signed checkpoint per commit; the
//! audit re-derives all of it.

mod audit;
mod checkpointer;
mod commit;
pub mod config_file;
mod db;
mod error;
pub mod files;
mod frontier;
mod hashes;
mod ledger;
pub mod logging;
mod logkey;
pub mod paths;
mod read;
mod seal;
mod signed;
mod snapshot;

pub use audit::{audit, audit_one, AuditOptions, AuditedEntry, Problem};
pub use commit::{AppendAllResult, AppendResult, Committer};
pub use error::LedgerError;
pub use ledger::{Appended, Ledger, LedgerReader, NewEntry};
pub use logkey::{private_key_path, public_key_path};
pub use read::{Entry, View};
pub use seal::check_seal;
pub use vouch_proto::report::AuditReport;

#[cfg(test)]
mod tests;

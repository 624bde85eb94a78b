//! Shared pieces of Vouch's end-to-end tests: the known-answer vectors in `tests/data/`.

#[path = "vectors.rs"]
pub mod vectors;

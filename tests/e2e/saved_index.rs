//! The trust index vouchd saves at shutdown (`<db>.index`) and starts from: used when its seal
//! verifies for the ledger's tree, with every review still verified before an answer counts it;
//! a changed file, one saved with other keys, or a ledger entry changed behind it never yields
//! "trusted" and is caught.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use vouch_proto::api::{HealthResponse, ReasonCode, TrustResponse};
use vouch_proto::{Digest, Verdict};

use crate::support::{self, data, review_envelope, vector_key, Daemon, Home};

struct World {
    home: Home,
    daemon: Daemon,
    trusted: Digest,
    rejected: Digest,
}

impl World {
    /// A daemon trusting the vector key with a trusted review of one image and a trusted then a
    /// rejecting review of another, stopped (so it saved its index) and started again.
    fn new() -> Self {
        let home = Home::new();
        let daemon = start(&home, &[data("vector.pub")]);
        let trusted = Digest::of(b"saved index: trusted");
        let rejected = Digest::of(b"saved index: rejected");
        let earlier = chrono::Utc::now() - chrono::Duration::minutes(5);
        for (digest, verdict, at) in [
            (trusted, Verdict::Trusted, earlier),
            (rejected, Verdict::Trusted, earlier),
            (rejected, Verdict::Rejected, chrono::Utc::now()),
        ] {
            let envelope = review_envelope(&vector_key(), digest, verdict, at, None);
            let (status, _) = daemon.http("POST", "/v1/entries", envelope.to_json().as_bytes());
            assert_eq!(status, 201);
        }
        let mut world = World {
            home,
            daemon,
            trusted,
            rejected,
        };
        world.restart(&[data("vector.pub")]);
        world
    }

    fn restart(&mut self, keys: &[PathBuf]) {
        assert_eq!(self.daemon.stop(), Some(0));
        self.daemon = start(&self.home, keys);
    }

    fn index(&self) -> PathBuf {
        self.home.path("data/ledger.db.index")
    }

    fn answer(&self, digest: &Digest) -> TrustResponse {
        let (status, body) = self.daemon.http("GET", &format!("/v1/trust/{digest}"), b"");
        assert_eq!(status, 200);
        serde_json::from_slice(&body).unwrap()
    }

    fn health(&self) -> HealthResponse {
        let (_, body) = self.daemon.http("GET", "/healthz", b"");
        serde_json::from_slice(&body).unwrap()
    }

    fn assert_right(&self) {
        assert!(self.answer(&self.trusted).trusted);
        let rejected = self.answer(&self.rejected);
        assert!(!rejected.trusted);
        assert!(
            rejected
                .reasons
                .iter()
                .any(|r| r.code == ReasonCode::Rejected),
            "{:?}",
            rejected.reasons
        );
    }
}

fn start(home: &Home, keys: &[PathBuf]) -> Daemon {
    Daemon::start(
        &home.path("data/ledger.db"),
        &home.path("run/vouchd.sock"),
        keys,
        &[],
    )
}

#[test]
fn a_saved_index_is_used_when_sealed_and_refused_when_changed() {
    let mut world = World::new();
    let saved = std::fs::read(world.index()).unwrap();
    let mode = std::fs::metadata(world.index())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    world.assert_right();

    // The rejection's record cut out of the file (the counts adjusted so it still reads):
    // the seal no longer verifies, the file is not used, and a full audit gives the same
    // answers and saves a good file again.
    let mut cut = saved.clone();
    let body = cut.len() - 64;
    let reviews_count_at = body - 3 * 40 - 3 * 8;
    cut.drain(body - 40..body);
    let count = u64::from_le_bytes(
        cut[reviews_count_at..reviews_count_at + 8]
            .try_into()
            .unwrap(),
    );
    cut[reviews_count_at..reviews_count_at + 8].copy_from_slice(&(count - 1).to_le_bytes());
    assert_eq!(count, 3, "three reviews saved, in entry order");
    std::fs::write(world.index(), &cut).unwrap();
    world.restart(&[data("vector.pub")]);
    world.assert_right();
    assert_eq!(world.health().status, "ok");
    world.restart(&[data("vector.pub")]);
    assert_eq!(
        std::fs::read(world.index()).unwrap(),
        saved,
        "saved again as it was"
    );

    // Saved with other keys: not used (with one more key the answers are the same).
    world.restart(&[data("vector.pub"), data("other.pub")]);
    world.assert_right();
}

#[test]
fn a_review_changed_behind_a_saved_index_is_caught_and_never_trusted() {
    let Some(sqlite3) = support::sqlite3() else {
        return;
    };
    let mut world = World::new();
    assert!(std::fs::metadata(world.index()).is_ok());
    assert_eq!(world.daemon.stop(), Some(0));
    // The trusted review's bytes changed in place: its saved index entry and the tree are as
    // they were, the bytes are not.
    let db = world.home.path("data/ledger.db");
    support::tamper(
        &sqlite3,
        &db,
        "UPDATE entries SET body = CAST(REPLACE(CAST(body AS TEXT), '\"payload\":\"', '\"payload\":\"e') AS BLOB) WHERE idx = 0",
    );
    world.daemon = start(&world.home, &[data("vector.pub")]);
    let answer = world.answer(&world.trusted);
    assert!(!answer.trusted, "{answer:?}");
    assert_eq!(
        answer.reasons[0].code,
        ReasonCode::LedgerFailing,
        "{answer:?}"
    );
    assert_eq!(world.health().status, "failing");
}

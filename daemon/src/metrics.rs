//! Request counters and latency histograms in the Prometheus text format. Written by hand: the
//! handful of atomics below is all vouchd needs, where the `prometheus` crate and the `metrics`
//! exporters would bring their own HTTP stacks and registries.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use vouch_proto::api::paths;

/// The routes measured: every API path, then `other` for anything else.
const ROUTES: [&str; paths::ALL.len() + 1] = {
    let mut routes = ["other"; paths::ALL.len() + 1];
    let mut i = 0;
    while i < paths::ALL.len() {
        routes[i] = paths::ALL[i];
        i += 1;
    }
    routes
};

/// Histogram bucket bounds, seconds.
const BUCKETS: [f64; 10] = [
    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.05, 0.25, 1.0,
];

/// Status classes counted.
const CLASSES: [&str; 4] = ["2xx", "3xx", "4xx", "5xx"];

#[derive(Default)]
struct Route {
    by_class: [AtomicU64; 4],
    buckets: [AtomicU64; 10],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

/// All of vouchd's counters.
#[derive(Default)]
pub struct Metrics {
    routes: [Route; ROUTES.len()],
    audits_passed: AtomicU64,
    audit_errors: AtomicU64,
}

impl Metrics {
    /// Counts a background audit that passed.
    pub fn audit_passed(&self) {
        self.audits_passed.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a background audit that could not run (retried; not a finding).
    pub fn audit_error(&self) {
        self.audit_errors.fetch_add(1, Ordering::Relaxed);
    }

    /// Records one request.
    pub fn record(&self, route: &str, status: u16, elapsed: Duration) {
        let slot = ROUTES
            .iter()
            .position(|r| *r == route)
            .unwrap_or(ROUTES.len() - 1);
        let route = &self.routes[slot];
        let class = usize::from(status / 100).saturating_sub(2).min(3);
        route.by_class[class].fetch_add(1, Ordering::Relaxed);
        let seconds = elapsed.as_secs_f64();
        for (bound, bucket) in BUCKETS.iter().zip(&route.buckets) {
            if seconds <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        route.count.fetch_add(1, Ordering::Relaxed);
        route.sum_micros.fetch_add(
            u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// The exposition text, with the ledger gauges given.
    pub fn render(&self, tree_size: u64, healthy: bool) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP vouchd_requests_total HTTP requests by route and status class."
        );
        let _ = writeln!(out, "# TYPE vouchd_requests_total counter");
        for (name, route) in ROUTES.iter().zip(&self.routes) {
            for (class, counter) in CLASSES.iter().zip(&route.by_class) {
                let _ = writeln!(
                    out,
                    "vouchd_requests_total{{route=\"{name}\",status=\"{class}\"}} {}",
                    counter.load(Ordering::Relaxed)
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP vouchd_request_duration_seconds Time to answer a request."
        );
        let _ = writeln!(out, "# TYPE vouchd_request_duration_seconds histogram");
        for (name, route) in ROUTES.iter().zip(&self.routes) {
            for (bound, bucket) in BUCKETS.iter().zip(&route.buckets) {
                let _ = writeln!(
                    out,
                    "vouchd_request_duration_seconds_bucket{{route=\"{name}\",le=\"{bound}\"}} {}",
                    bucket.load(Ordering::Relaxed)
                );
            }
            let count = route.count.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "vouchd_request_duration_seconds_bucket{{route=\"{name}\",le=\"+Inf\"}} {count}"
            );
            let sum = route.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
            let _ = writeln!(
                out,
                "vouchd_request_duration_seconds_sum{{route=\"{name}\"}} {sum}"
            );
            let _ = writeln!(
                out,
                "vouchd_request_duration_seconds_count{{route=\"{name}\"}} {count}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP vouchd_tree_size Size of the latest signed checkpoint."
        );
        let _ = writeln!(out, "# TYPE vouchd_tree_size gauge");
        let _ = writeln!(out, "vouchd_tree_size {tree_size}");
        let _ = writeln!(out, "# HELP vouchd_healthy 1 when the ledger passed its checks, 0 when vouchd fails closed.");
        let _ = writeln!(out, "# TYPE vouchd_healthy gauge");
        let _ = writeln!(out, "vouchd_healthy {}", u8::from(healthy));
        let _ = writeln!(
            out,
            "# HELP vouchd_audits_passed_total Background audits of the whole ledger that passed."
        );
        let _ = writeln!(out, "# TYPE vouchd_audits_passed_total counter");
        let _ = writeln!(
            out,
            "vouchd_audits_passed_total {}",
            self.audits_passed.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP vouchd_audit_errors_total Background audits that could not run (retried soon after)."
        );
        let _ = writeln!(out, "# TYPE vouchd_audit_errors_total counter");
        let _ = writeln!(
            out,
            "vouchd_audit_errors_total {}",
            self.audit_errors.load(Ordering::Relaxed)
        );
        out
    }
}

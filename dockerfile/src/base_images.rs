//! External images the build starts from: FROM and COPY --from (rules VR101-VR103).

use vouch_proto::findings::Severity;

use crate::rule;
use crate::rules::Raw;

/// The finding for an external image used by FROM or COPY --from.
pub(crate) fn base_image(image: &str, how: &str) -> Raw {
    let name_part = image.rsplit('/').next().unwrap_or(image);
    let (rule, summary, severity) = if image.contains("@sha256:") {
        (
            &rule::BASE_PINNED,
            format!("{how} {image}: pinned by digest"),
            Severity::Low,
        )
    } else if name_part.contains(':') && !name_part.ends_with(":latest") {
        (
            &rule::BASE_TAG,
            format!("{how} {image}: tag only; the tag can move to other content"),
            Severity::Medium,
        )
    } else {
        (
            &rule::BASE_UNTAGGED,
            format!("{how} {image}: no tag or latest; whatever is newest gets built in"),
            Severity::High,
        )
    };
    Raw {
        rule,
        about: image.to_string(),
        summary,
        severity,
        check: "Start the review there: is the base image itself trusted (reviewed, official, built traceably)? Pin it by digest (image@sha256:...) and record it with --base.".into(),
    }
}

//! Which reviewed object covers what a reference names, decided the same way for `vouch pull`
//! and `vouch check`: the manifest the registry sent is asked about first; a review of an image
//! index covers every platform manifest it lists; when the index is not trusted, the wanted
//! platform's manifest may be trusted alone, unless a reviewer rejected the index (a rejection
//! of an index covers its manifests: nothing it lists is pulled on a platform review).

use anyhow::Result;
use serde::Serialize;
use vouch_proto::api::ReasonCode;
use vouch_proto::Digest;

use crate::answer::{confirm, Confirmed};
use crate::client::Client;
use crate::engine::{local_platform, platform_matches};
use crate::registry::Fetched;

/// Which reviewed object covers what is pulled.
#[derive(Serialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "camelCase")]
pub enum Covers {
    /// A single-platform image manifest, reviewed itself.
    Manifest,
    /// An image index, reviewed as a whole: every platform manifest it lists.
    Index,
    /// One platform's manifest of an index, reviewed alone.
    Platform,
}

/// The decision: the digest to pull and the answer that allows it (or refuses).
pub struct Choice {
    /// The digest to pull.
    pub digest: Digest,
    /// What covers it.
    pub covers: Covers,
    /// The platform asked for or chosen.
    pub platform: Option<String>,
    /// The answer that allows it (or refuses).
    pub confirmed: Confirmed,
    /// Answers asked on the way that did not trust (the index, when only a platform counts).
    pub also: Vec<(String, Confirmed)>,
}

/// Asks about the manifest received; for an index that is not trusted as a whole, about the
/// wanted platform's manifest.
pub fn choose(
    client: &Client,
    repository: &str,
    fetched: &Fetched,
    platform: Option<&str>,
    keys: &[vouch_proto::PublicKey],
) -> Result<Choice> {
    let first = confirm(client, fetched.digest, Some(repository), keys)?;
    let Some(listed) = &fetched.platforms else {
        return Ok(Choice {
            digest: fetched.digest,
            covers: Covers::Manifest,
            platform: None,
            confirmed: first,
            also: Vec::new(),
        });
    };
    let rejected = first
        .answer
        .reasons
        .iter()
        .any(|r| r.code == ReasonCode::Rejected);
    if first.answer.trusted || rejected {
        // Trusted as a whole, or rejected as a whole: the index's answer is the answer.
        let platform = platform.map(str::to_string);
        return Ok(Choice {
            digest: fetched.digest,
            covers: Covers::Index,
            platform,
            confirmed: first,
            also: Vec::new(),
        });
    }
    let wanted = platform.map(str::to_string).unwrap_or_else(local_platform);
    let entry = listed.iter().find(|m| {
        m.platform
            .as_deref()
            .is_some_and(|p| platform_matches(p, &wanted))
    });
    let Some(entry) = entry else {
        tracing::warn!(platform = %wanted, "the index lists no manifest for this platform");
        return Ok(Choice {
            digest: fetched.digest,
            covers: Covers::Index,
            platform: Some(wanted),
            confirmed: first,
            also: Vec::new(),
        });
    };
    let second = confirm(client, entry.digest, Some(repository), keys)?;
    if second.answer.trusted {
        let shown = format!("the image index {}", fetched.digest);
        return Ok(Choice {
            digest: entry.digest,
            covers: Covers::Platform,
            platform: entry.platform.clone(),
            confirmed: second,
            also: vec![(shown, first)],
        });
    }
    let shown = format!(
        "the {} manifest {}",
        entry.platform.as_deref().unwrap_or(&wanted),
        entry.digest
    );
    Ok(Choice {
        digest: fetched.digest,
        covers: Covers::Index,
        platform: Some(wanted),
        confirmed: first,
        also: vec![(shown, second)],
    })
}

pub fn covers_line(choice: &Choice) -> String {
    match choice.covers {
        Covers::Manifest => format!("Reviewed: the image manifest {}", choice.digest),
        Covers::Index => format!(
            "Reviewed: the image index {} (it covers every platform it lists)",
            choice.digest
        ),
        Covers::Platform => format!(
            "Reviewed: only the {} manifest {} of the index, not the index as a whole",
            choice.platform.as_deref().unwrap_or("platform"),
            choice.digest
        ),
    }
}

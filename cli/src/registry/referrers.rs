//! Reviews published next to the image as OCI 1.1 referrers, in the layout cosign 3 writes: an
//! image manifest whose `artifactType` is the Sigstore bundle media type, the empty config
//! (`application/vnd.oci.empty.v1+json`, `{}`), one layer holding the bundle, `subject` the
//! image, and the annotations `dev.sigstore.bundle.content: dsse-envelope` and
//! `dev.sigstore.bundle.predicateType`. Found through the referrers API where the registry has
//! one (`GET /v2/<name>/referrers/<digest>`), else through the fallback tag `sha256-<hex>`: an
//! image index listing the referrers, kept up to date by the publisher (distribution spec 1.1).

use anyhow::{bail, Context, Result};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use vouch_proto::Digest;

use super::session::Session;
use super::Fetched;
use crate::sigstore::BUNDLE_MEDIA_TYPE;

/// The empty config: `{}`.
const EMPTY_CONFIG: &[u8] = b"{}";
const EMPTY_MEDIA_TYPE: &str = "application/vnd.oci.empty.v1+json";
const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
const INDEX_MEDIA_TYPE: &str = "application/vnd.oci.image.index.v1+json";

/// The largest bundle read back.
pub const MAX_BUNDLE: usize = 1 << 20;

/// What publishing did.
#[derive(Debug, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Published {
    /// Referrer manifests pushed (new ones).
    pub pushed: usize,
    /// Bundles that were published already.
    pub already: usize,
    /// Whether the fallback tag index was written (no referrers API).
    pub fallback_tag: Option<String>,
}

/// The referrer manifest for one bundle about `subject`.
fn manifest_for(subject: &Fetched, bundle: &[u8], predicate_type: &str) -> Vec<u8> {
    let value = json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST_MEDIA_TYPE,
        "artifactType": BUNDLE_MEDIA_TYPE,
        "config": {"mediaType": EMPTY_MEDIA_TYPE, "digest": Digest::of(EMPTY_CONFIG).to_string(), "size": 2},
        "layers": [{"mediaType": BUNDLE_MEDIA_TYPE, "digest": Digest::of(bundle).to_string(), "size": bundle.len()}],
        "subject": {"mediaType": subject.media_type, "digest": subject.digest.to_string(), "size": subject.size},
        "annotations": {
            "dev.sigstore.bundle.content": "dsse-envelope",
            "dev.sigstore.bundle.predicateType": predicate_type,
        },
    });
    // Infallible: a JSON value of strings and numbers.
    serde_json::to_vec(&value).unwrap_or_default()
}

/// The fallback tag of `digest`: `sha256-<hex>`.
pub fn fallback_tag(digest: &Digest) -> String {
    format!("sha256-{}", digest.hex())
}

/// Pushes one referrer per bundle (`(bundle, predicate type)`) about `subject`, and, where the
/// registry has no referrers API, adds them to the fallback tag's index. Idempotent: the same
/// bundles give the same manifests, listed once.
pub fn publish(
    session: &Session,
    subject: &Fetched,
    bundles: &[(Vec<u8>, String)],
) -> Result<Published> {
    let mut published = Published::default();
    let mut descriptors = Vec::new();
    session.push_blob(EMPTY_CONFIG)?;
    for (bundle, predicate_type) in bundles {
        session.push_blob(bundle)?;
        let manifest = manifest_for(subject, bundle, predicate_type);
        let digest = Digest::of(&manifest);
        session.put_manifest(&digest.to_string(), MANIFEST_MEDIA_TYPE, &manifest)?;
        descriptors.push(json!({
            "mediaType": MANIFEST_MEDIA_TYPE,
            "digest": digest.to_string(),
            "size": manifest.len(),
            "artifactType": BUNDLE_MEDIA_TYPE,
            "annotations": {
                "dev.sigstore.bundle.content": "dsse-envelope",
                "dev.sigstore.bundle.predicateType": predicate_type,
            },
        }));
    }
    if let Some(listed) = referrers_api(session, &subject.digest)? {
        for descriptor in &descriptors {
            match listed.iter().any(|d| d["digest"] == descriptor["digest"]) {
                true => published.already += 1,
                false => published.pushed += 1,
            }
        }
        return Ok(published);
    }
    let tag = fallback_tag(&subject.digest);
    let mut index = fallback_index(session, &tag)?.unwrap_or_else(
        || json!({"schemaVersion": 2, "mediaType": INDEX_MEDIA_TYPE, "manifests": []}),
    );
    let listed = index["manifests"]
        .as_array_mut()
        .context("the fallback index lists no manifests")?;
    for descriptor in descriptors {
        if listed.iter().any(|d| d["digest"] == descriptor["digest"]) {
            published.already += 1;
        } else {
            listed.push(descriptor);
            published.pushed += 1;
        }
    }
    if published.pushed > 0 {
        session.put_manifest(&tag, INDEX_MEDIA_TYPE, &serde_json::to_vec(&index)?)?;
    }
    published.fallback_tag = Some(tag);
    Ok(published)
}

/// The referrers of `digest` from the registry's referrers API, or `None` when it has none.
fn referrers_api(session: &Session, digest: &Digest) -> Result<Option<Vec<Value>>> {
    let accept = [("accept", INDEX_MEDIA_TYPE)];
    let path = format!("referrers/{digest}");
    let answer = session.send(Method::GET, &path, &accept, None, super::MAX_MANIFEST)?;
    if answer.status == StatusCode::NOT_FOUND {
        return Ok(None);
    }
    if !answer.status.is_success() {
        bail!("the referrers API answered {}", answer.status);
    }
    let index: Value =
        serde_json::from_slice(&answer.body).context("the referrers API sent no index")?;
    Ok(Some(
        index["manifests"].as_array().cloned().unwrap_or_default(),
    ))
}

/// The index at the fallback tag, if there is one.
fn fallback_index(session: &Session, tag: &str) -> Result<Option<Value>> {
    let accept = [("accept", INDEX_MEDIA_TYPE)];
    let answer = session.send(
        Method::GET,
        &format!("manifests/{tag}"),
        &accept,
        None,
        super::MAX_MANIFEST,
    )?;
    if answer.status == StatusCode::NOT_FOUND {
        return Ok(None);
    }
    if !answer.status.is_success() {
        bail!(
            "the registry answered {} for the fallback tag {tag}",
            answer.status
        );
    }
    let index: Value = serde_json::from_slice(&answer.body)
        .with_context(|| format!("the fallback tag {tag} does not hold an index"))?;
    if index["mediaType"] != INDEX_MEDIA_TYPE || !index["manifests"].is_array() {
        bail!("the fallback tag {tag} holds something other than an OCI image index");
    }
    Ok(Some(index))
}

/// The most referrer manifests `vouch fetch` reads for one image: a referrers list is the
/// registry's (or anyone's who can push a tag) to write, and each manifest read costs a request
/// and, with `--submit`, a submission.
pub const MAX_REFERRERS: usize = 256;

/// The referrer manifests worth fetching from a listing: those that may be Sigstore bundles (a
/// descriptor without its artifactType may be one: copying tools drop it), each digest once, in
/// the order listed; more than [`MAX_REFERRERS`] distinct ones is an error rather than hours of
/// requests.
pub fn wanted_referrers(listed: &[Value]) -> Result<Vec<Digest>> {
    let mut seen = std::collections::HashSet::new();
    let mut wanted = Vec::new();
    for descriptor in listed
        .iter()
        .filter(|d| d["artifactType"].is_null() || d["artifactType"] == BUNDLE_MEDIA_TYPE)
    {
        let manifest: Digest = descriptor["digest"]
            .as_str()
            .context("a referrer without a digest")?
            .parse()?;
        if seen.insert(manifest) {
            wanted.push(manifest);
        }
    }
    if wanted.len() > MAX_REFERRERS {
        bail!(
            "the registry lists {} distinct referrers that may be review bundles, more than the {MAX_REFERRERS} vouch reads for one image; ask the registry's owner why",
            wanted.len()
        );
    }
    Ok(wanted)
}

/// The Sigstore bundles published about `digest`: each referrer manifest fetched and hashed, its
/// layer fetched and hashed, each once (a listing that repeats a referrer, or two referrers with
/// the same bundle, give it once); referrers of other artifact types are left alone. The whole
/// fetch is bounded by the registry deadline (`VOUCH_REGISTRY_TIMEOUT`), not only each request.
pub fn bundles(session: &Session, digest: &Digest) -> Result<Vec<Vec<u8>>> {
    let started = std::time::Instant::now();
    let limit = super::deadline();
    let listed = match referrers_api(session, digest)? {
        Some(listed) => listed,
        None => match fallback_index(session, &fallback_tag(digest))? {
            Some(index) => index["manifests"].as_array().cloned().unwrap_or_default(),
            None => Vec::new(),
        },
    };
    let mut found = Vec::new();
    let mut layers = std::collections::HashSet::new();
    for manifest in wanted_referrers(&listed)? {
        if started.elapsed() > limit {
            bail!(
                "reading the referrers of {digest} took longer than {} s (VOUCH_REGISTRY_TIMEOUT); stopped",
                limit.as_secs()
            );
        }
        let accept = [("accept", MANIFEST_MEDIA_TYPE)];
        let path = format!("manifests/{manifest}");
        let raw = session.send(Method::GET, &path, &accept, None, super::MAX_MANIFEST)?;
        if Digest::of(&raw.body) != manifest {
            bail!("the referrer manifest does not hash to {manifest}");
        }
        let value: Value = serde_json::from_slice(&raw.body)?;
        if value["artifactType"] != BUNDLE_MEDIA_TYPE {
            continue;
        }
        if value["subject"]["digest"] != digest.to_string() {
            bail!(
                "referrer {manifest} is about {}, not {digest}",
                value["subject"]["digest"]
            );
        }
        let layer: Digest = value["layers"][0]["digest"]
            .as_str()
            .context("a referrer without a layer")?
            .parse()?;
        if layers.insert(layer) {
            found.push(session.blob(&layer, MAX_BUNDLE)?);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn descriptor(n: usize, artifact: Option<&str>) -> Value {
        let mut d = json!({
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": Digest::of(&n.to_be_bytes()).to_string(),
            "size": 100,
        });
        if let Some(artifact) = artifact {
            d["artifactType"] = artifact.into();
        }
        d
    }

    #[test]
    fn a_repeated_referrer_is_read_once_and_other_artifacts_not_at_all() {
        let mut listed = vec![descriptor(1, Some(BUNDLE_MEDIA_TYPE)); 300];
        listed.push(descriptor(2, None));
        listed.push(descriptor(3, Some("application/vnd.example.sbom")));
        listed.push(descriptor(1, None));
        let wanted = wanted_referrers(&listed).unwrap();
        assert_eq!(
            wanted,
            [
                Digest::of(&1usize.to_be_bytes()),
                Digest::of(&2usize.to_be_bytes())
            ]
        );
    }

    #[test]
    fn too_many_distinct_referrers_is_an_error_not_hours_of_requests() {
        let listed: Vec<Value> = (0..=MAX_REFERRERS).map(|n| descriptor(n, None)).collect();
        let err = wanted_referrers(&listed).unwrap_err().to_string();
        assert!(err.contains("257 distinct referrers"), "{err}");
        assert!(wanted_referrers(&listed[..MAX_REFERRERS]).is_ok());
        let bad = vec![json!({"digest": "sha256:00"})];
        assert!(wanted_referrers(&bad).is_err());
    }
}

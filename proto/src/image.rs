//! Image references pinned by digest: `REPO[:TAG]@sha256:<hex>`, normalised the way Docker does
//! (`ubuntu` is `docker.io/library/ubuntu`).

use std::fmt;

use oci_spec::distribution::Reference;

use crate::digest::Digest;
use crate::error::ImageRefError;

/// A reference that names one image by digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    given: String,
    name: String,
    tag: Option<String>,
    digest: Digest,
}

impl ImageRef {
    /// Parses a reference that must carry a sha256 digest; a tag alone is refused because tags
    /// move and a review is of one digest.
    pub fn parse_pinned(text: &str) -> Result<Self, ImageRefError> {
        // Check the digest ourselves first: its error says exactly what is wrong with it.
        let digest = match text.rsplit_once('@') {
            Some((_, digest)) => {
                digest
                    .parse::<Digest>()
                    .map_err(|source| ImageRefError::Digest {
                        reference: text.to_string(),
                        source,
                    })?
            }
            None => {
                // Still report an unparseable reference as such, not as "no digest".
                parse(text)?;
                return Err(ImageRefError::NoDigest(text.to_string()));
            }
        };
        let reference = parse(text)?;
        Ok(ImageRef {
            given: text.to_string(),
            name: format!("{}/{}", reference.registry(), reference.repository()),
            tag: reference.tag().map(str::to_string),
            digest,
        })
    }

    /// The normalised repository of any reference (a tag, a digest, or neither), as Docker
    /// names it: `ubuntu:24.04` is `docker.io/library/ubuntu`.
    pub fn repository(text: &str) -> Result<String, ImageRefError> {
        let reference = parse(text)?;
        Ok(format!(
            "{}/{}",
            reference.registry(),
            reference.repository()
        ))
    }

    /// The reference exactly as given.
    pub fn given(&self) -> &str {
        &self.given
    }

    /// The normalised repository, e.g. `docker.io/library/ubuntu`: the in-toto subject name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The tag, if one was given beside the digest; informational only.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The image digest.
    pub fn digest(&self) -> Digest {
        self.digest
    }
}

impl fmt::Display for ImageRef {
    /// The normalised `name@digest` form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.name, self.digest)
    }
}

mod fast;

/// Parses any image reference as oci-spec does (`ubuntu` is `docker.io/library/ubuntu:latest`),
/// the plain shapes without compiling oci-spec's regular expression.
pub fn reference(text: &str) -> Result<Reference, ImageRefError> {
    parse(text)
}

fn parse(text: &str) -> Result<Reference, ImageRefError> {
    if let Some(reference) = fast::parse(text) {
        return Ok(reference);
    }
    text.parse::<Reference>()
        .map_err(|e| ImageRefError::Invalid {
            reference: text.to_string(),
            reason: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex() -> String {
        "0123456789abcdef".repeat(4)
    }

    #[test]
    fn normalises_like_docker() {
        let cases = [
            ("ubuntu", "docker.io/library/ubuntu"),
            ("library/ubuntu", "docker.io/library/ubuntu"),
            ("praqma/yocto-build", "docker.io/praqma/yocto-build"),
            ("index.docker.io/library/ubuntu", "docker.io/library/ubuntu"),
            ("ghcr.io/org/tool", "ghcr.io/org/tool"),
            ("127.0.0.1:5000/x/y", "127.0.0.1:5000/x/y"),
            ("localhost/app", "localhost/app"),
        ];
        for (given, name) in cases {
            let image = ImageRef::parse_pinned(&format!("{given}:1.0@sha256:{}", hex())).unwrap();
            assert_eq!(image.name(), name, "{given}");
            assert_eq!(image.tag(), Some("1.0"));
            let bare = ImageRef::parse_pinned(&format!("{given}@sha256:{}", hex())).unwrap();
            assert_eq!(bare.tag(), None);
            assert_eq!(bare.to_string(), format!("{name}@sha256:{}", hex()));
        }
    }

    #[test]
    fn refuses_tags_without_digests_and_bad_digests() {
        assert!(matches!(
            ImageRef::parse_pinned("ubuntu:22.04"),
            Err(ImageRefError::NoDigest(_))
        ));
        let err = ImageRef::parse_pinned(&format!("ubuntu@sha256:{}", &hex()[1..])).unwrap_err();
        assert!(err.to_string().contains("63 hex characters"), "{err}");
        assert!(matches!(
            ImageRef::parse_pinned("not a reference!"),
            Err(ImageRefError::Invalid { .. })
        ));
    }
}

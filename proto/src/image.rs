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
    /// names it: `ubuntu:24.04`, `docker.io/ubuntu` and `index.docker.io/library/ubuntu` are all
    /// `docker.io/library/ubuntu`. This is the one normalisation of image names: the policy,
    /// vouchd's questions, the CLI and the trust index all go through it.
    pub fn repository(text: &str) -> Result<String, ImageRefError> {
        if already_normal(text) {
            // What clients send (vouch check sends the normalised name): skip the full parse,
            // which costs more than a whole trust decision.
            return Ok(text.to_string());
        }
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

/// Whether `text` is a repository name already in Docker's normal form: a registry host (with
/// a dot, a port, or `localhost`), then a lower-case path, and no tag or digest. Docker Hub's
/// names are normal only as `docker.io/NAMESPACE/NAME`: `index.docker.io/...` and
/// `docker.io/NAME` are other spellings of `docker.io/library/...` and take the full parse.
fn already_normal(text: &str) -> bool {
    let Some((host, path)) = text.split_once('/') else {
        return false;
    };
    let host_ok = (host.contains('.') || host.contains(':') || host == "localhost")
        && !host.bytes().any(|b| b.is_ascii_uppercase())
        && fast::host_ok(host);
    let path_ok = path.len() <= 255 && path.split('/').all(fast::component_ok);
    let hub_spelling = host == "index.docker.io" || (host == "docker.io" && !path.contains('/'));
    host_ok && path_ok && !hub_spelling
}

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

    /// Docker's own normalisation (`splitDockerDomain` in distribution/reference's
    /// `normalize.go`), written out as the model the one normalisation is held to.
    fn docker_model(name: &str) -> String {
        let (domain, remainder) = match name.split_once('/') {
            Some((first, rest))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.to_lowercase() != first =>
            {
                (first, rest.to_string())
            }
            _ => ("docker.io", name.to_string()),
        };
        let domain = if domain == "index.docker.io" {
            "docker.io"
        } else {
            domain
        };
        let remainder = if domain == "docker.io" && !remainder.contains('/') {
            format!("library/{remainder}")
        } else {
            remainder
        };
        format!("{domain}/{remainder}")
    }

    #[test]
    fn every_spelling_of_a_docker_hub_repository_is_one_name() {
        for text in [
            "ubuntu",
            "library/ubuntu",
            "docker.io/ubuntu",
            "docker.io/library/ubuntu",
            "index.docker.io/ubuntu",
            "index.docker.io/library/ubuntu",
            "ubuntu:24.04",
            "docker.io/ubuntu:24.04",
            "index.docker.io/ubuntu@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert_eq!(
                ImageRef::repository(text).unwrap(),
                "docker.io/library/ubuntu",
                "{text}"
            );
        }
        assert_eq!(
            ImageRef::repository("index.docker.io/acme/app").unwrap(),
            "docker.io/acme/app"
        );
        // Not Docker Hub: kept as written.
        assert_eq!(
            ImageRef::repository("registry-1.docker.io/ubuntu").unwrap(),
            "registry-1.docker.io/ubuntu"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// The one normalisation gives Docker's answer and oci-spec's full parse for names
        /// built from every kind of host, namespace, tag and digest.
        #[test]
        fn the_normalisation_is_dockers(
            host in proptest::option::of(proptest::sample::select(vec![
                "docker.io", "index.docker.io", "ghcr.io", "localhost", "localhost:5000",
                "127.0.0.1:5000", "registry.example.com", "registry-1.docker.io",
            ])),
            namespace in proptest::option::of(proptest::sample::select(vec![
                "library", "acme", "a/b", "x-y.z",
            ])),
            name in "[a-z0-9]{1,8}([._-][a-z0-9]{1,4})?",
            tag in proptest::option::of("[a-z0-9][a-z0-9._-]{0,6}"),
            pinned in proptest::bool::ANY,
        ) {
            let mut path = String::new();
            if let Some(host) = host {
                path = format!("{host}/");
            }
            if let Some(namespace) = namespace {
                path = format!("{path}{namespace}/");
            }
            path.push_str(&name);
            // Without a host, a first component with a dot is a host (Docker's rule too).
            let mut text = path.clone();
            if let Some(tag) = &tag {
                text = format!("{text}:{tag}");
            }
            if pinned {
                text = format!("{text}@sha256:{}", hex());
            }
            let ours = ImageRef::repository(&text).unwrap();
            proptest::prop_assert_eq!(&ours, &docker_model(&path), "{}", text);
            let full: Reference = text.parse().unwrap();
            proptest::prop_assert_eq!(
                &ours,
                &format!("{}/{}", full.registry(), full.repository()),
                "{}",
                text
            );
            // Normalising a normal name changes nothing.
            proptest::prop_assert_eq!(&ImageRef::repository(&ours).unwrap(), &ours);
        }
    }
}

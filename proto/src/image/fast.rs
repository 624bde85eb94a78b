//! The common shapes of image reference parsed without oci-spec's regular expression: that
//! expression takes about 35 ms to compile, once per process, which was most of a `vouch pull`
//! or `vouch check` from a local registry. This parser answers only when the text is plainly
//! valid (lowercase names, an ASCII tag, a sha256 digest) and then gives exactly what oci-spec
//! gives (the tests compare the two); anything else (`None`) goes to oci-spec, which decides.

use oci_spec::distribution::Reference;

/// The longest repository oci-spec accepts.
const NAME_MAX: usize = 255;

/// `text` as oci-spec would read it, when it is one of the plain shapes; else `None`.
pub(crate) fn parse(text: &str) -> Option<Reference> {
    if text.is_empty() || text.len() > 1024 {
        return None;
    }
    let (rest, digest) = match text.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (text, None),
    };
    if let Some(digest) = digest {
        let hex = digest.strip_prefix("sha256:")?;
        let lower_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
        if hex.len() != 64 || !hex.bytes().all(lower_hex) {
            return None;
        }
    }
    let (name, tag) = match rest.rfind(':') {
        Some(i) if !rest[i..].contains('/') => (&rest[..i], Some(&rest[i + 1..])),
        _ => (rest, None),
    };
    if let Some(tag) = tag {
        if !tag_ok(tag) {
            return None;
        }
    }
    let (registry, repository) = split(name)?;
    if repository.len() > NAME_MAX {
        return None;
    }
    let tag = match (tag, digest) {
        (None, None) => Some("latest"),
        (tag, _) => tag,
    };
    Some(match (tag, digest) {
        (Some(tag), Some(digest)) => {
            Reference::with_tag_and_digest(registry, repository, tag.into(), digest.into())
        }
        (Some(tag), None) => Reference::with_tag(registry, repository, tag.into()),
        (None, Some(digest)) => Reference::with_digest(registry, repository, digest.into()),
        (None, None) => return None,
    })
}

/// A tag: an ASCII word character, then up to 127 of word characters, `.` and `-`.
fn tag_ok(tag: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = tag.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 128
        && word(bytes[0])
        && bytes[1..]
            .iter()
            .all(|&b| word(b) || b == b'.' || b == b'-')
}

/// The registry and repository, normalised as docker does (`ubuntu` is
/// `docker.io/library/ubuntu`).
fn split(name: &str) -> Option<(String, String)> {
    let (first, rest) = name.split_once('/').unwrap_or((name, ""));
    let host_like = first.contains('.') || first.contains(':') || first == "localhost";
    let (registry, path) = if host_like && !rest.is_empty() {
        if !host_ok(first) {
            return None;
        }
        (first, rest)
    } else {
        ("docker.io", name)
    };
    if !path.split('/').all(component_ok) {
        return None;
    }
    let registry = if registry == "index.docker.io" {
        "docker.io"
    } else {
        registry
    };
    let repository = if registry == "docker.io" && !path.contains('/') {
        format!("library/{path}")
    } else {
        path.to_string()
    };
    Some((registry.to_string(), repository))
}

/// A registry host: dot-separated labels of letters, digits and inner hyphens, and an optional
/// `:PORT`.
pub(crate) fn host_ok(host: &str) -> bool {
    let (name, port) = match host.split_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    };
    let label = |l: &str| {
        !l.is_empty()
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    name.split('.').all(label) && port_ok
}

/// A path component: lowercase letters and digits, runs of them separated by `.`, `_`, `__`
/// or any number of `-`.
pub(crate) fn component_ok(part: &str) -> bool {
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = part.as_bytes();
    if bytes.is_empty() || !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let separator = &part[start..i];
        let dashes = separator.bytes().all(|b| b == b'-');
        if !(separator == "." || separator == "_" || separator == "__" || dashes) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn full(text: &str) -> Option<Reference> {
        Reference::try_from(text).ok()
    }

    #[test]
    fn common_shapes_take_the_fast_path_and_agree() {
        let hex = "ab".repeat(32);
        for text in [
            "ubuntu".to_string(),
            "ubuntu:24.04".to_string(),
            format!("ubuntu@sha256:{hex}"),
            format!("ubuntu:24.04@sha256:{hex}"),
            "library/ubuntu".to_string(),
            "index.docker.io/library/ubuntu:latest".to_string(),
            "docker.io/acme/app".to_string(),
            "ghcr.io/acme/app:v1.2.3".to_string(),
            "127.0.0.1:5000/team/app:1.0".to_string(),
            format!("localhost/app@sha256:{hex}"),
            "registry.example.com:8443/a/b/c-d__e.f:tag_1".to_string(),
            "my-registry.local/x--y/z".to_string(),
        ] {
            let fast = parse(&text);
            assert!(fast.is_some(), "{text} should take the fast path");
            assert_eq!(fast, full(&text), "{text}");
        }
    }

    #[test]
    fn what_the_fast_path_declines_is_left_to_oci_spec() {
        let hex = "ab".repeat(32);
        for text in [
            String::new(),
            "Ubuntu".to_string(),
            "ubuntu:".to_string(),
            "a_b.c/d".to_string(),
            format!("ubuntu@sha256:{}", "AB".repeat(32)),
            format!("ubuntu@sha512:{hex}{hex}"),
            "ubuntu:ümlaut".to_string(),
            "[::1]:5000/app".to_string(),
            "a/".to_string(),
            "a//b".to_string(),
            "a...b".to_string(),
            format!("a/{}", "b".repeat(300)),
        ] {
            assert_eq!(parse(&text), None, "{text:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// Wherever the fast path answers, oci-spec gives the same reference.
        #[test]
        fn the_fast_path_agrees_with_oci_spec(
            text in "[a-zA-Z0-9._:/@-]{0,24}(@sha256:[0-9a-f]{64})?",
        ) {
            if let Some(fast) = parse(&text) {
                prop_assert_eq!(Some(fast), full(&text), "{:?}", text);
            }
        }

        /// Names built from valid pieces always take the fast path, and agree.
        #[test]
        fn valid_names_take_the_fast_path(
            host in proptest::option::of("[a-z0-9]{1,8}(\\.[a-z0-9]{1,8}){1,2}(:[0-9]{1,5})?"),
            path in "[a-z0-9]{1,6}((\\.|_|__|-+)[a-z0-9]{1,6}){0,2}(/[a-z0-9]{1,6}){0,2}",
            tag in proptest::option::of("[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}"),
        ) {
            // Without a host, a first component with a dot is read as a host (docker's rule):
            // not one of the plain shapes.
            let first = path.split('/').next().unwrap_or_default();
            prop_assume!(host.is_some() || !first.contains('.'));
            let mut text = host.map(|h| format!("{h}/")).unwrap_or_default() + &path;
            if let Some(tag) = tag {
                text = format!("{text}:{tag}");
            }
            let fast = parse(&text);
            prop_assert!(fast.is_some(), "{:?}", text);
            prop_assert_eq!(fast, full(&text), "{:?}", text);
        }
    }
}

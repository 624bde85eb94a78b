//! `vouch attest`: build a review Statement from the flags and sign it.

use anyhow::{bail, Context, Result};
use chrono::{DateTime, Duration, Utc};
use vouch_proto::review::{
    BaseImage, Build, ChecklistItem, Dockerfile, Download, Image, Reviewer, Source,
};
use vouch_proto::{
    sign_review, Digest, DigestSet, ImageRef, KeyId, Review, ReviewStatement, Verdict,
};

use crate::cli::{AttestArgs, VerdictArg};
use crate::cmd::key::{default_key_path, read_secret_key};
use crate::cmd::{write_output, Outcome};
use crate::{checklist, git};
use vouch_dockerfile::analyze_full;

/// Runs `vouch attest`.
pub fn run(args: &AttestArgs) -> Result<Outcome> {
    // Check every flag before asking for a passphrase: a typo should not cost a prompt.
    let image = ImageRef::parse_pinned(&args.image).context("--image")?;
    let now = now_seconds();
    let finish_review = build_review(args, now)?;
    let key_path = match &args.key {
        Some(path) => path.clone(),
        None => default_key_path()?,
    };
    let key = read_secret_key(&key_path)?;
    let statement = ReviewStatement::new(&image, finish_review(key.id()));
    let envelope = sign_review(&statement, &key);
    let mut json = envelope.to_json();
    json.push('\n');
    write_output(&args.output, json.as_bytes(), args.force)?;
    tracing::info!(key_id = %key.id(), subject = %image, "signed review");
    if args.output.as_os_str() != "-" {
        eprintln!(
            "signed {} review of {image} with key {}; wrote {}",
            statement.predicate.verdict,
            key.id(),
            args.output.display()
        );
    }
    Ok(Outcome::Yes)
}

/// Checks every flag and returns the review they describe, finished once the signing key's id
/// is known (after the passphrase).
/// What reviewing the Dockerfile adds to a review.
struct Reviewed {
    dockerfile: Dockerfile,
    checklist: Vec<ChecklistItem>,
    downloads: Vec<Download>,
}

/// Reads and analyses the Dockerfile at `path`, resolves its checklist (answers, flags,
/// `--accept-all` or the prompt; a trusted verdict needs every item), matches its downloads
/// with the hashes given, adds its base images, and finds its source.
fn review_dockerfile(
    args: &AttestArgs,
    path: &std::path::Path,
    downloads: Vec<Download>,
    base_images: &mut Vec<BaseImage>,
    explicit_source: Option<Source>,
) -> Result<Reviewed> {
    let bytes = crate::cmd::read_input(path)
        .with_context(|| format!("reading Dockerfile {}", path.display()))?;
    let text = String::from_utf8(bytes.clone())
        .with_context(|| format!("{} is not UTF-8 text", path.display()))?;
    let analysis = analyze_full(&text, &crate::cmd::build_args(&args.build_args)?)
        .with_context(|| format!("Dockerfile {}", path.display()))?;
    let mut answers = match &args.answers {
        Some(file) => checklist::from_file(file)?,
        None => Default::default(),
    };
    answers.extend(checklist::from_flags(&args.resolves)?);
    let resolved = checklist::resolve(&analysis, answers, args.accept_all, downloads)?;
    if matches!(args.verdict, VerdictArg::Trusted) && !resolved.open.is_empty() {
        bail!(
            "a trusted verdict needs every item of {} resolved; still open:\n  {}\nresolve them with --resolve ID=reviewed|accepted-risk:NOTE|not-applicable, --answers FILE, or --accept-all, and give every download's sha256",
            path.display(),
            resolved.open.join("\n  ")
        );
    }
    // Base images the Dockerfile already pins are recorded as they are; with --resolve-base,
    // tag-only ones are resolved at the registry.
    for found in &analysis.base_images {
        let digest = match ImageRef::parse_pinned(&found.reference) {
            Ok(image) => image.digest(),
            Err(_) if args.resolve_base => {
                resolve_base(&found.reference, &args.registry.insecure())?
            }
            Err(_) => continue,
        };
        if !base_images.iter().any(|b| b.digest.0 == digest) {
            base_images.push(BaseImage {
                reference: found.reference.clone(),
                digest: DigestSet(digest),
            });
        }
    }
    let (source, recorded_path) = match args.source.as_deref() {
        Some("auto") => {
            let (source, path) = git::source_of(path)?;
            (Some(source), path)
        }
        Some(_) => (explicit_source, path.display().to_string()),
        None => (None, path.display().to_string()),
    };
    Ok(Reviewed {
        dockerfile: Dockerfile {
            path: recorded_path,
            sha256: Digest::of(&bytes),
            source,
        },
        checklist: resolved.items,
        downloads: resolved.downloads,
    })
}

fn build_review(args: &AttestArgs, now: DateTime<Utc>) -> Result<impl FnOnce(KeyId) -> Review> {
    let mut downloads: Vec<Download> = args
        .downloads
        .iter()
        .map(|text| parse_download(text))
        .collect::<Result<_>>()?;
    for text in &args.download_files {
        downloads.push(hash_download_file(text)?);
    }
    let mut base_images: Vec<BaseImage> = args
        .bases
        .iter()
        .map(|text| {
            let image = ImageRef::parse_pinned(text).context("--base")?;
            Ok(BaseImage {
                reference: text.clone(),
                digest: DigestSet(image.digest()),
            })
        })
        .collect::<Result<_>>()?;
    let explicit_source = match args.source.as_deref() {
        None | Some("auto") => None,
        Some(text) => Some(parse_source(text)?),
    };
    let (dockerfile, checklist) = match &args.dockerfile {
        Some(path) => {
            let reviewed =
                review_dockerfile(args, path, downloads, &mut base_images, explicit_source)?;
            downloads = reviewed.downloads;
            (Some(reviewed.dockerfile), reviewed.checklist)
        }
        None => (None, Vec::new()),
    };
    let expires_at = args
        .expires
        .as_deref()
        .map(|text| parse_expiry(text, now))
        .transpose()?;
    let (name, email) = (args.reviewer_name.clone(), args.reviewer_email.clone());
    let verdict = match args.verdict {
        VerdictArg::Trusted => Verdict::Trusted,
        VerdictArg::Rejected => Verdict::Rejected,
    };
    let image = Image {
        reference: args.image.clone(),
    };
    let build = args.build.as_ref().map(|url| Build {
        url: Some(url.clone()),
        id: None,
    });
    let notes = args.notes.clone();
    Ok(move |key_id| Review {
        reviewer: Reviewer {
            key_id,
            name,
            email,
        },
        verdict,
        reviewed_at: now,
        expires_at,
        image,
        dockerfile,
        base_images,
        downloads,
        build,
        checklist,
        notes,
    })
}

fn now_seconds() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now)
}

#[cfg(feature = "registry")]
fn resolve_base(reference: &str, insecure: &[String]) -> Result<Digest> {
    crate::registry::resolve_digest(reference, insecure).with_context(|| {
        format!(
            "--resolve-base: give --base {reference}@sha256:<hex> instead \
                 if the registry cannot be reached"
        )
    })
}

#[cfg(not(feature = "registry"))]
fn resolve_base(reference: &str, _insecure: &[String]) -> Result<Digest> {
    bail!(
        "--resolve-base: this vouch was built without the registry feature; \
         give --base {reference}@sha256:<hex>"
    )
}

/// `URL=FILE`: the sha256 of the local copy the reviewer inspected.
fn hash_download_file(text: &str) -> Result<Download> {
    let Some((url, file)) = text.rsplit_once('=') else {
        bail!("--download-file {text:?}: write it as URL=FILE");
    };
    // Hashed as it is read: a download may be large, and is never held whole.
    let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
    let mut input = std::fs::File::open(file)
        .with_context(|| format!("--download-file {text:?}: reading {file}"))?;
    std::io::copy(&mut input, &mut hasher)
        .with_context(|| format!("--download-file {text:?}: reading {file}"))?;
    let sha256 = Digest::from_bytes(sha2::Digest::finalize(hasher).into());
    Ok(Download {
        url: url.to_string(),
        sha256,
        destination: None,
    })
}

/// `REPO@COMMIT`, split at the last `@` (SSH URLs such as `git@host:org/repo` hold one too).
fn parse_source(text: &str) -> Result<Source> {
    let Some((repository, commit)) = text.rsplit_once('@') else {
        bail!("--source {text:?}: write it as REPOSITORY_URL@COMMIT");
    };
    let is_hex = commit.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'));
    if repository.is_empty() || !is_hex || !matches!(commit.len(), 40 | 64) {
        bail!(
            "--source {text:?}: the commit must be a full lowercase hex id \
             (40 or 64 characters), as `git rev-parse HEAD` prints"
        );
    }
    Ok(Source {
        repository: repository.to_string(),
        commit: commit.to_string(),
    })
}

/// `URL=sha256:HEX`, split at the last `=` (URLs may hold `=` in their query).
fn parse_download(text: &str) -> Result<Download> {
    let Some((url, digest)) = text.rsplit_once('=') else {
        bail!("--download {text:?}: write it as URL=sha256:HEX");
    };
    if url.is_empty() {
        bail!("--download {text:?}: the URL is empty");
    }
    let digest: Digest = digest
        .parse()
        .with_context(|| format!("--download {text:?}"))?;
    Ok(Download {
        url: url.to_string(),
        sha256: digest,
        destination: None,
    })
}

/// A duration such as `90d`, `12w`, `36h`, or an RFC 3339 time; must lie in the future.
fn parse_expiry(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let when = if let Ok(time) = vouch_proto::timestamp::parse(text) {
        time
    } else {
        let (number, unit) = text.split_at(text.len().saturating_sub(1));
        let count: i64 = number.parse().ok().filter(|n| *n > 0).with_context(|| {
            format!("--expires {text:?}: use a duration like 90d, 12w or 36h, or an RFC 3339 time")
        })?;
        let duration = match unit {
            "h" => Duration::try_hours(count),
            "d" => Duration::try_days(count),
            "w" => Duration::try_weeks(count),
            _ => None,
        }
        .with_context(|| format!("--expires {text:?}: the unit must be h, d or w"))?;
        now.checked_add_signed(duration)
            .with_context(|| format!("--expires {text:?} is too far in the future"))?
    };
    if when <= now {
        bail!("--expires {text:?} is not in the future");
    }
    Ok(when)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_split_at_the_last_at_sign() {
        let source =
            parse_source(&format!("git@github.com:org/repo.git@{}", "a".repeat(40))).unwrap();
        assert_eq!(source.repository, "git@github.com:org/repo.git");
        assert!(parse_source("https://x/repo@main").is_err());
        assert!(parse_source(&format!("@{}", "a".repeat(40))).is_err());
    }

    #[test]
    fn downloads_keep_query_strings() {
        let d = parse_download(&format!("https://x/y?a=b=sha256:{}", "c".repeat(64))).unwrap();
        assert_eq!(d.url, "https://x/y?a=b");
        assert!(parse_download("https://x/y").is_err());
        assert!(parse_download("https://x/y=sha256:abc").is_err());
    }

    #[test]
    fn expiry_accepts_durations_and_times_in_the_future_only() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert_eq!(parse_expiry("90d", now).unwrap(), now + Duration::days(90));
        assert_eq!(parse_expiry("2w", now).unwrap(), now + Duration::weeks(2));
        assert!(parse_expiry("2030-01-01T00:00:00Z", now).is_ok());
        assert!(parse_expiry("2020-01-01T00:00:00Z", now).is_err());
        for bad in ["0d", "-1d", "5y", "d", "", "soon"] {
            assert!(parse_expiry(bad, now).is_err(), "{bad}");
        }
    }
}

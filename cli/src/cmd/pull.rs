//! `vouch pull`: pull an image only when vouchd says the digest the tag names now was
//! reviewed, and pull it by that digest, so the engine itself checks the bytes against it.
//!
//! The digest is the hash of the manifest this process received from the registry (never a
//! header's claim); the answer is checked like `vouch check`'s (checkpoint, inclusion proofs,
//! pinned keys). For an image index: a review of the index covers every platform manifest it
//! lists; otherwise a review of the manifest for the wanted platform (`--platform`, else this
//! machine's) covers that manifest alone, and that manifest is what is pulled. Anything that
//! cannot be established (daemon, registry, a manifest that does not hash to what was asked)
//! is an error, exit 2, and nothing is pulled.

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::Serialize;
use vouch_proto::api::TrustResponse;
use vouch_proto::{Digest, ImageRef};

use crate::answer::{print_answer, Verified};
use crate::choice::{choose, covers_line, Choice, Covers};
use crate::cli::PullArgs;
use crate::client::Client;
use crate::cmd::key::read_public_keys;
use crate::cmd::{print_line, Outcome};
use crate::engine::Engine;
use crate::registry::{fetch, Fetched};

/// What the user named: a repository as docker normalises it, and a tag, a digest or both.
struct Name {
    repository: String,
    tag: Option<String>,
    digest: Option<Digest>,
}

impl Name {
    fn parse(image: &str) -> Result<Self> {
        let repository = ImageRef::repository(image)?;
        if image.contains('@') {
            let pinned = ImageRef::parse_pinned(image)?;
            return Ok(Name {
                repository,
                tag: pinned.tag().map(str::to_string),
                digest: Some(pinned.digest()),
            });
        }
        let reference = vouch_proto::image::reference(image)?;
        Ok(Name {
            repository,
            tag: Some(reference.tag().unwrap_or("latest").to_string()),
            digest: None,
        })
    }

    /// What the registry is asked for: the digest if one was given, else the tag.
    fn wanted(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(digest), _) => format!("{}@{digest}", self.repository),
            (None, Some(tag)) => format!("{}:{tag}", self.repository),
            (None, None) => format!("{}:latest", self.repository),
        }
    }
}

/// `vouch pull --json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PullLine<'a> {
    image: &'a str,
    repository: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tag: Option<&'a str>,
    resolved_digest: String,
    digest: String,
    covers: Covers,
    #[serde(skip_serializing_if = "Option::is_none")]
    platform: Option<&'a str>,
    trusted: bool,
    warned: bool,
    pulled: bool,
    dry_run: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    engine: Option<&'static str>,
    answer: &'a TrustResponse,
    #[serde(skip_serializing_if = "Option::is_none")]
    verified: Option<&'a Verified>,
}

/// Runs `vouch pull`.
pub fn run(args: &PullArgs, socket: Option<&Path>) -> Result<Outcome> {
    let name = Name::parse(&args.image)?;
    if let Some(platform) = &args.platform {
        check_platform(platform)?;
    }
    let engine = match args.dry_run {
        true => None,
        false => Some(Engine::choose(args.engine)?),
    };
    let insecure = args.trust.registry.insecure();
    let fetched = fetch(&name.wanted(), &insecure)
        .with_context(|| format!("resolving {} to a digest; nothing was pulled", args.image))?;
    let keys = read_public_keys(&args.trust.trusted_keys)?;
    let client = Client::new(socket)?;
    let choice = choose(
        &client,
        &name.repository,
        &fetched,
        args.platform.as_deref(),
        &keys,
    )
    .context("asking vouchd; nothing was pulled")?;
    let trusted = choice.confirmed.answer.trusted;
    let warned = !trusted && choice.confirmed.warn_only();
    if !trusted && !warned {
        refuse(args, &name, &fetched, &choice)?;
        return Ok(Outcome::No);
    }
    let pulled = pull(args, &name, &choice, engine.as_ref(), warned)?;
    if args.json {
        let engine = engine.as_ref().map(|e| e.name);
        let line = json_line(
            args,
            &name,
            &fetched,
            &choice,
            Done {
                warned,
                pulled,
                engine,
            },
        );
        print_line(&serde_json::to_string(&line)?)?;
    }
    Ok(Outcome::Yes)
}

/// What was done, for the JSON line.
struct Done {
    warned: bool,
    pulled: bool,
    engine: Option<&'static str>,
}

fn json_line<'a>(
    args: &'a PullArgs,
    name: &'a Name,
    fetched: &Fetched,
    choice: &'a Choice,
    done: Done,
) -> PullLine<'a> {
    PullLine {
        image: &args.image,
        repository: &name.repository,
        tag: name.tag.as_deref(),
        resolved_digest: fetched.digest.to_string(),
        digest: choice.digest.to_string(),
        covers: choice.covers,
        platform: choice.platform.as_deref(),
        trusted: choice.confirmed.answer.trusted,
        warned: done.warned,
        pulled: done.pulled,
        dry_run: args.dry_run,
        engine: done.engine,
        answer: &choice.confirmed.answer,
        verified: choice.confirmed.verified.as_ref(),
    }
}

/// `os/arch[/variant]`, lowercase words.
fn check_platform(platform: &str) -> Result<()> {
    let parts: Vec<&str> = platform.split('/').collect();
    let word = |p: &&str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    };
    if !(2..=3).contains(&parts.len()) || !parts.iter().all(word) {
        bail!("--platform {platform:?}: expected OS/ARCH[/VARIANT], e.g. linux/amd64 or linux/arm64/v8");
    }
    Ok(())
}

/// Pulls (unless a dry run) and tags; prints what Docker Content Trust printed. Returns whether
/// anything was pulled.
fn pull(
    args: &PullArgs,
    name: &Name,
    choice: &Choice,
    engine: Option<&Engine>,
    warned: bool,
) -> Result<bool> {
    let pinned = format!("{}@{}", name.repository, choice.digest);
    let shown = match &name.tag {
        Some(tag) => format!("{}:{tag}@{}", name.repository, choice.digest),
        None => pinned.clone(),
    };
    let say = |line: String| -> Result<()> {
        if args.json {
            eprintln!("{line}");
            Ok(())
        } else {
            print_line(&line)
        }
    };
    if warned {
        tracing::warn!(image = %pinned, "not trusted, but the policy rule is in warn mode: pulling anyway");
        for reason in &choice.confirmed.answer.reasons {
            eprintln!("vouch: warning: {}", reason.text);
        }
    }
    say(covers_line(choice))?;
    let Some(engine) = engine else {
        say(format!("Would pull (1 of 1): {shown}"))?;
        if let Some(tag) = &name.tag {
            say(format!("Would tag {pinned} as {}:{tag}", name.repository))?;
        }
        return Ok(false);
    };
    say(format!("Pull (1 of 1): {shown}"))?;
    let platform = match choice.covers {
        Covers::Index => args.platform.as_deref(),
        _ => None,
    };
    engine.pull(&pinned, platform, args.json)?;
    if let Some(tag) = &name.tag {
        let target = format!("{}:{tag}", name.repository);
        say(format!("Tagging {pinned} as {target}"))?;
        engine.tag(&pinned, &target, args.json)?;
    }
    Ok(true)
}

/// A refusal: vouchd's explanation, and that nothing was pulled.
fn refuse(args: &PullArgs, name: &Name, fetched: &Fetched, choice: &Choice) -> Result<()> {
    if args.json {
        let done = Done {
            warned: false,
            pulled: false,
            engine: None,
        };
        print_line(&serde_json::to_string(&json_line(
            args, name, fetched, choice, done,
        ))?)?;
    } else {
        print_answer(
            &format!("{}@{}", name.repository, choice.digest),
            &choice.confirmed,
        )?;
        for (shown, confirmed) in &choice.also {
            print_answer(shown, confirmed)?;
        }
    }
    eprintln!("vouch: {} is not trusted; nothing was pulled", args.image);
    Ok(())
}

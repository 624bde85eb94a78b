//! Turning a Dockerfile's findings into the signed checklist: every finding must be resolved
//! (reviewed, accepted-risk with a note, not-applicable) and every download needs the sha256 of
//! what the reviewer inspected, before a `trusted` verdict can be signed.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use vouch_dockerfile::Analysis;
use vouch_proto::review::{ChecklistItem, Download, ItemStatus, Resolution};

/// One resolution: status, note, and how it was given.
/// How the reviewer resolved one item, and how they said so.
pub struct Answer {
    status: ItemStatus,
    note: Option<String>,
    resolved_by: Resolution,
}

impl Answer {
    fn new(status: ItemStatus, note: Option<String>, resolved_by: Resolution) -> Self {
        Answer {
            status,
            note,
            resolved_by,
        }
    }
}

fn parse_status(text: &str) -> Result<ItemStatus> {
    Ok(match text {
        "reviewed" => ItemStatus::Reviewed,
        "accepted-risk" => ItemStatus::AcceptedRisk,
        "not-applicable" => ItemStatus::NotApplicable,
        other => bail!("{other:?} is not a status: use reviewed, accepted-risk or not-applicable"),
    })
}

/// `--resolve ID=STATUS[:NOTE]` flags.
pub fn from_flags(flags: &[String]) -> Result<BTreeMap<String, Answer>> {
    let mut answers = BTreeMap::new();
    for flag in flags {
        let Some((id, rest)) = flag.split_once('=') else {
            bail!("--resolve {flag:?}: write it as ID=STATUS[:NOTE]");
        };
        let (status, note) = match rest.split_once(':') {
            Some((status, note)) => (status, Some(note.to_string())),
            None => (rest, None),
        };
        let status = parse_status(status).with_context(|| format!("--resolve {flag:?}"))?;
        answers.insert(id.to_string(), Answer::new(status, note, Resolution::Flag));
    }
    Ok(answers)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswersFile {
    items: BTreeMap<String, AnswerEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerEntry {
    status: String,
    note: Option<String>,
}

/// An `--answers` file: `items.ID = { status = "...", note = "..." }` in TOML, or the same
/// shape in JSON (`{"items": {"ID": {"status": ..., "note": ...}}}`).
pub fn from_file(path: &Path) -> Result<BTreeMap<String, Answer>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading answers {}", path.display()))?;
    let parsed: AnswersFile = if text.trim_start().starts_with('{') {
        serde_json::from_str(&text).with_context(|| format!("answers {} (JSON)", path.display()))?
    } else {
        toml::from_str(&text).with_context(|| format!("answers {} (TOML)", path.display()))?
    };
    parsed
        .items
        .into_iter()
        .map(|(id, entry)| {
            let status = parse_status(&entry.status)
                .with_context(|| format!("answers {}: {id}", path.display()))?;
            Ok((id, Answer::new(status, entry.note, Resolution::AnswersFile)))
        })
        .collect()
}

/// The resolved checklist, the downloads with their hashes, and what is still open.
pub struct Checklist {
    /// Resolved items, in file order.
    pub items: Vec<ChecklistItem>,
    /// Downloads named by the Dockerfile or the flags, with sha256.
    pub downloads: Vec<Download>,
    /// What is still open, one line each.
    pub open: Vec<String>,
}

/// The downloads the review records: each one the Dockerfile makes, with the sha256 given for
/// its URL (one missing is an open item), then the others given.
fn match_downloads(
    analysis: &Analysis,
    given_downloads: Vec<Download>,
    open: &mut Vec<String>,
) -> Vec<Download> {
    let mut downloads = Vec::new();
    for found in &analysis.downloads {
        match given_downloads.iter().find(|d| d.url == found.url) {
            Some(given) => downloads.push(Download {
                destination: found.destination.clone(),
                ..given.clone()
            }),
            None => open.push(format!(
                "{}: no sha256 for {}: give --download URL=sha256:HEX, or --download-file URL=FILE for the copy you inspected",
                found.finding_id, found.url
            )),
        }
    }
    for given in given_downloads {
        if !downloads.iter().any(|d| d.url == given.url) {
            downloads.push(given);
        }
    }
    downloads
}

/// Resolves every finding of `analysis` from `answers` (flags over file), `--accept-all`, or a
/// prompt on the terminal, and matches downloads with the hashes given.
pub fn resolve(
    analysis: &Analysis,
    mut answers: BTreeMap<String, Answer>,
    accept_all: bool,
    given_downloads: Vec<Download>,
) -> Result<Checklist> {
    let known: Vec<&str> = analysis.findings.iter().map(|f| f.id.as_str()).collect();
    if let Some(unknown) = answers.keys().find(|id| !known.contains(&id.as_str())) {
        bail!(
            "{unknown:?} is not an item of this Dockerfile; its items are: {} (see `vouch review`)",
            known.join(", ")
        );
    }
    let prompt = !accept_all
        && std::io::stdin().is_terminal()
        && analysis
            .findings
            .iter()
            .any(|f| !answers.contains_key(&f.id));
    let mut items = Vec::new();
    let mut open = Vec::new();
    for finding in &analysis.findings {
        let answer = match answers.remove(&finding.id) {
            Some(answer) => Some(answer),
            None if accept_all => Some(Answer::new(
                ItemStatus::Reviewed,
                None,
                Resolution::AcceptAll,
            )),
            None if prompt => ask(finding)?,
            None => None,
        };
        match answer {
            Some(Answer {
                status: ItemStatus::AcceptedRisk,
                note: None,
                ..
            }) => {
                bail!(
                    "{}: accepted-risk needs a note saying why (ID=accepted-risk:NOTE)",
                    finding.id
                )
            }
            Some(Answer {
                status,
                note,
                resolved_by,
            }) => items.push(ChecklistItem {
                id: finding.id.clone(),
                kind: Some(finding.kind.as_str().to_string()),
                summary: Some(finding.summary.clone()),
                status,
                note,
                resolved_by: Some(resolved_by),
            }),
            None => open.push(format!(
                "{} (line {}): {}",
                finding.id, finding.line, finding.summary
            )),
        }
    }
    let downloads = match_downloads(analysis, given_downloads, &mut open);
    Ok(Checklist {
        items,
        downloads,
        open,
    })
}

fn ask(finding: &vouch_dockerfile::Finding) -> Result<Option<Answer>> {
    let mut stderr = std::io::stderr().lock();
    writeln!(stderr, "{}", crate::cmd::review::describe(finding))?;
    loop {
        write!(
            stderr,
            "resolve as (r)eviewed, (a)ccepted-risk, (n)ot-applicable, or (s)kip: "
        )?;
        stderr.flush()?;
        let mut line = String::new();
        if std::io::stdin().lock().read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let status = match line.trim() {
            "r" | "reviewed" => ItemStatus::Reviewed,
            "a" | "accepted-risk" => ItemStatus::AcceptedRisk,
            "n" | "not-applicable" => ItemStatus::NotApplicable,
            "s" | "skip" | "" => return Ok(None),
            _ => continue,
        };
        write!(
            stderr,
            "note{}: ",
            if status == ItemStatus::AcceptedRisk {
                " (required)"
            } else {
                " (optional)"
            }
        )?;
        stderr.flush()?;
        let mut note = String::new();
        std::io::stdin().lock().read_line(&mut note)?;
        let note = Some(note.trim().to_string()).filter(|n| !n.is_empty());
        if status == ItemStatus::AcceptedRisk && note.is_none() {
            writeln!(stderr, "an accepted risk needs a note")?;
            continue;
        }
        return Ok(Some(Answer::new(status, note, Resolution::Prompt)));
    }
}

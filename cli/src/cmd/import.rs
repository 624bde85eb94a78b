//! `vouch import FILE`: the entries of an export appended to vouchd's ledger through
//! `POST /v1/import`, in batches. The whole file goes through twice: first as a dry run (the
//! file checked here, every entry verified by vouchd, nothing appended), then for real, so a
//! file with one bad entry imports nothing. vouchd verifies every entry again and checks it
//! against its own policy; what that policy refuses is reported and the rest imported.

use std::io::IsTerminal;

use anyhow::{Context, Result};
use base64::Engine as _;
use serde::Serialize;
use vouch_proto::api::{ImportOutcome, ImportRequest, ImportResponse, MAX_IMPORT_ENTRIES};
use vouch_proto::EntryKind;

use crate::cli::ImportArgs;
use crate::client::Client;
use crate::cmd::key::read_public_key;
use crate::cmd::{print_line, progress_bar, Outcome};
use crate::exported::{self, Item, Kind};

/// Base64 bytes per request, leaving room under vouchd's 16 MiB limit for the JSON around them.
const MAX_BATCH_BYTES: usize = 12 << 20;

/// What an import did (or, in a dry run, would do).
#[derive(Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary {
    file: String,
    format: &'static str,
    dry_run: bool,
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<String>,
    entries: u64,
    imported: u64,
    duplicates: u64,
    policy_entries_skipped: u64,
    refused: Vec<Refusal>,
    tree_size: u64,
}

/// One entry vouchd refused.
#[derive(Serialize)]
struct Refusal {
    entry: String,
    error: String,
    detail: String,
}

/// The file or an entry of it does not verify: nothing was imported.
#[derive(Debug)]
struct Invalid(String);

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Invalid {}

/// Runs `vouch import`.
pub fn run(args: &ImportArgs, socket: Option<&std::path::Path>) -> Result<Outcome> {
    let client = Client::new(socket)?;
    let log_key = args.log_key.as_deref().map(read_public_key).transpose()?;
    let kind = exported::kind_of(&args.file)?;
    let mut summary = Summary {
        file: args.file.display().to_string(),
        format: match kind {
            Kind::Ledger => "ledger",
            Kind::IntotoJsonl => "intoto-jsonl",
            Kind::Bundles => "sigstore-bundle",
        },
        dry_run: args.dry_run,
        ..Summary::default()
    };
    let pass = |dry_run: bool| {
        let mut tally = Summary::default();
        send_all(&client, args, kind, log_key.as_ref(), dry_run, &mut tally).map(|()| tally)
    };
    let result = pass(true).and_then(|checked| {
        if args.dry_run {
            Ok(checked)
        } else {
            pass(false)
        }
    });
    match result {
        Ok(tally) => {
            summary.valid = true;
            summary.entries = tally.entries;
            summary.imported = tally.imported;
            summary.duplicates = tally.duplicates;
            summary.policy_entries_skipped = tally.policy_entries_skipped;
            summary.refused = tally.refused;
            summary.tree_size = tally.tree_size;
        }
        Err(err) if err.downcast_ref::<Invalid>().is_some() => {
            summary.problem = Some(format!("{err:#}"));
        }
        Err(err) => return Err(err),
    }
    print(&summary, args.json)
}

/// Reads the whole file and sends it in batches; an entry that does not verify (here or at
/// vouchd) ends it with [`Invalid`].
fn send_all(
    client: &Client,
    args: &ImportArgs,
    kind: Kind,
    log_key: Option<&vouch_proto::PublicKey>,
    dry_run: bool,
    tally: &mut Summary,
) -> Result<()> {
    let bar = progress_bar(if dry_run { "checking" } else { "importing" });
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let mut batch = Batch::default();
    // An error sending a batch (vouchd's answer) is kept as it is; any other error while
    // reading is the file's.
    let mut sending: Option<anyhow::Error> = None;
    let mut each = |item: Item| -> Result<()> {
        if item.kind == EntryKind::Policy {
            tally.policy_entries_skipped += 1;
            return Ok(());
        }
        batch.push(item);
        if batch.full() {
            if let Err(err) = batch.send(client, dry_run, tally) {
                sending = Some(err);
                anyhow::bail!("stopped sending");
            }
            bar.set_position(tally.entries);
        }
        Ok(())
    };
    let read = exported::read_entries(&args.file, kind, log_key, &mut each);
    if let Some(err) = sending {
        return Err(err);
    }
    read.map_err(|e| Invalid(format!("{e:#}")))?;
    batch.send(client, dry_run, tally)?;
    bar.finish_and_clear();
    Ok(())
}

/// Entries waiting to be sent: their labels and base64 bodies.
#[derive(Default)]
struct Batch {
    labels: Vec<String>,
    bodies: Vec<String>,
    bytes: usize,
}

impl Batch {
    fn push(&mut self, item: Item) {
        let body = base64::engine::general_purpose::STANDARD.encode(&item.body);
        self.bytes += body.len();
        self.bodies.push(body);
        self.labels.push(item.label);
    }

    fn full(&self) -> bool {
        self.bodies.len() >= MAX_IMPORT_ENTRIES || self.bytes >= MAX_BATCH_BYTES
    }

    /// Sends the batch (if any) and counts its outcomes.
    fn send(&mut self, client: &Client, dry_run: bool, tally: &mut Summary) -> Result<()> {
        if self.bodies.is_empty() {
            return Ok(());
        }
        let request = ImportRequest {
            entries: std::mem::take(&mut self.bodies),
            dry_run,
        };
        let labels = std::mem::take(&mut self.labels);
        self.bytes = 0;
        let reply = client.import(&request)?;
        if reply.status == 400 || reply.status == 413 {
            return Err(Invalid(name_entry(&reply.error_text(), &labels)).into());
        }
        let response: ImportResponse = reply.json()?;
        if response.results.len() != labels.len() {
            anyhow::bail!(
                "vouchd answered for {} entries, not the {} sent",
                response.results.len(),
                labels.len()
            );
        }
        for (label, outcome) in labels.into_iter().zip(response.results) {
            tally.entries += 1;
            match outcome {
                ImportOutcome::Imported { .. } => tally.imported += 1,
                ImportOutcome::Duplicate { .. } => tally.duplicates += 1,
                ImportOutcome::Refused { error, detail } => tally.refused.push(Refusal {
                    entry: label,
                    error,
                    detail,
                }),
            }
        }
        tally.tree_size = response.checkpoint.tree_size;
        Ok(())
    }
}

/// vouchd's refusal of a batch, with its "entry N of the request" replaced by the entry's
/// label in the file.
fn name_entry(text: &str, labels: &[String]) -> String {
    let position = text
        .split_once("entry ")
        .and_then(|(_, rest)| rest.split_once(" of the request"))
        .and_then(|(n, _)| n.parse::<usize>().ok());
    match position.and_then(|n| labels.get(n).map(|label| (n, label))) {
        Some((n, label)) => text.replacen(&format!("entry {n} of the request"), label, 1),
        None => text.to_string(),
    }
}

fn print(summary: &Summary, json: bool) -> Result<Outcome> {
    let outcome = if !summary.valid || !summary.refused.is_empty() {
        Outcome::No
    } else {
        Outcome::Yes
    };
    if json {
        print_line(&serde_json::to_string(summary)?)?;
        return Ok(outcome);
    }
    if let Some(problem) = &summary.problem {
        print_line(&format!(
            "{}: INVALID, nothing imported: {problem}",
            summary.file
        ))?;
        return Ok(outcome);
    }
    let verb = if summary.dry_run {
        "would import"
    } else {
        "imported"
    };
    print_line(&format!(
        "{}: {verb} {} of {} entries ({} already there, {} refused); {} policy entries not imported (a ledger keeps its own policy); the ledger has {} entries",
        summary.file,
        summary.imported,
        summary.entries,
        summary.duplicates,
        summary.refused.len(),
        summary.policy_entries_skipped,
        summary.tree_size
    ))?;
    for refusal in &summary.refused {
        print_line(&format!(
            "  refused {} ({}): {}",
            refusal.entry, refusal.error, refusal.detail
        ))
        .context("printing")?;
    }
    Ok(outcome)
}

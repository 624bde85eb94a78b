//! Group commit: one writer thread owns the ledger; appends from many callers that arrive while
//! a commit is in flight go into the next transaction together, so one fsync serves them all.

use std::sync::mpsc;
use std::thread::JoinHandle;

use vouch_proto::Checkpoint;

use crate::error::LedgerError;
use crate::ledger::{Appended, Ledger, NewEntry};

/// The answer to one append: where it landed and the checkpoint of the commit that made it
/// durable.
pub type AppendResult = Result<(Appended, Checkpoint), LedgerError>;

/// The answer to a group of appends made together: where each landed and the checkpoint.
pub type AppendAllResult = Result<(Vec<Appended>, Checkpoint), LedgerError>;

type Reply = Box<dyn FnOnce(AppendAllResult) + Send>;

/// Entries that go into one transaction together, and who to tell.
struct Request {
    entries: Vec<NewEntry>,
    reply: Reply,
}

/// The handle to the writer thread. Cloneable senders are not exposed: share it behind an
/// `Arc`.
pub struct Committer {
    sender: Option<mpsc::Sender<Request>>,
    worker: Option<JoinHandle<Ledger>>,
    /// Stops the checkpointer (see [`crate::checkpointer`]), which runs while this does.
    checkpoints: Option<(mpsc::Sender<()>, JoinHandle<()>)>,
}

impl Committer {
    /// Starts the writer thread; at most `max_batch` entries go into one transaction.
    pub fn start(mut ledger: Ledger, max_batch: usize) -> Result<Self, LedgerError> {
        let (sender, receiver) = mpsc::channel::<Request>();
        let max_batch = max_batch.max(1);
        let checkpoints = ledger.checkpoint_elsewhere().and_then(|path| {
            let (stop, stopped) = mpsc::channel();
            std::thread::Builder::new()
                .name("vouch-ledger-checkpoints".into())
                .spawn(move || crate::checkpointer::run(path, &stopped))
                .ok()
                .map(|handle| (stop, handle))
        });
        let worker = std::thread::Builder::new()
            .name("vouch-ledger-writer".into())
            .spawn(move || write_loop(ledger, &receiver, max_batch))
            .map_err(|e| LedgerError::Setup {
                path: String::new(),
                message: format!("starting the writer thread: {e}"),
            })?;
        Ok(Committer {
            sender: Some(sender),
            worker: Some(worker),
            checkpoints,
        })
    }

    /// Appends one entry and calls `reply` once it is durable (or has failed). For callers that
    /// must not block, such as an async server answering through a oneshot channel.
    pub fn append_with(&self, entry: NewEntry, reply: impl FnOnce(AppendResult) + Send + 'static) {
        self.append_all_with(vec![entry], move |result| {
            reply(result.and_then(|(mut appended, checkpoint)| {
                // One entry in, one result out (append_batch answers every entry).
                let one = appended.pop().ok_or(LedgerError::Stopped)?;
                Ok((one, checkpoint))
            }))
        });
    }

    /// Appends `entries` in one transaction (all or none; duplicates answered with the entry
    /// already there) and calls `reply` once they are durable or have failed.
    pub fn append_all_with(
        &self,
        entries: Vec<NewEntry>,
        reply: impl FnOnce(AppendAllResult) + Send + 'static,
    ) {
        let request = Request {
            entries,
            reply: Box::new(reply),
        };
        if let Some(sender) = &self.sender {
            if let Err(mpsc::SendError(request)) = sender.send(request) {
                (request.reply)(Err(LedgerError::Stopped));
            }
        } else {
            (request.reply)(Err(LedgerError::Stopped));
        }
    }

    /// Appends one entry and blocks until it is durably committed.
    pub fn append(&self, entry: NewEntry) -> AppendResult {
        let (tx, rx) = mpsc::sync_channel(1);
        self.append_with(entry, move |result| {
            let _ = tx.send(result);
        });
        rx.recv().map_err(|_| LedgerError::Stopped)?
    }

    /// Finishes every queued append, stops the writer and returns the ledger.
    pub fn shutdown(mut self) -> Option<Ledger> {
        self.stop_checkpoints();
        self.sender.take();
        self.worker.take().and_then(|w| w.join().ok())
    }

    /// Stops the checkpointer and closes its connection, so that the writer's is the last to
    /// close and folds the log back.
    fn stop_checkpoints(&mut self) {
        if let Some((stop, handle)) = self.checkpoints.take() {
            drop(stop);
            let _ = handle.join();
        }
    }
}

impl Drop for Committer {
    fn drop(&mut self) {
        self.stop_checkpoints();
        self.sender.take();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

fn write_loop(mut ledger: Ledger, receiver: &mpsc::Receiver<Request>, max_batch: usize) -> Ledger {
    while let Ok(first) = receiver.recv() {
        let mut count = first.entries.len();
        let mut batch = vec![first];
        while count < max_batch {
            match receiver.try_recv() {
                Ok(request) => {
                    count += request.entries.len();
                    batch.push(request);
                }
                Err(_) => break,
            }
        }
        let mut entries = Vec::with_capacity(count);
        let mut replies = Vec::with_capacity(batch.len());
        for request in batch {
            replies.push((request.entries.len(), request.reply));
            entries.extend(request.entries);
        }
        commit(&mut ledger, &entries, replies);
    }
    ledger
}

/// Commits one transaction and answers each request with its share of the results.
fn commit(ledger: &mut Ledger, entries: &[NewEntry], replies: Vec<(usize, Reply)>) {
    match ledger.append_batch(entries) {
        Ok(results) => {
            let checkpoint = ledger.checkpoint().clone();
            tracing::debug!(
                entries = entries.len(),
                size = checkpoint.tree_size,
                "committed batch"
            );
            let mut results = results.into_iter();
            for (count, reply) in replies {
                let share: Vec<Appended> = results.by_ref().take(count).collect();
                reply(Ok((share, checkpoint.clone())));
            }
        }
        Err(err) => {
            tracing::error!(error = %err, entries = entries.len(), "batch failed; nothing stored");
            for (_, reply) in replies {
                reply(Err(err.clone()));
            }
        }
    }
}

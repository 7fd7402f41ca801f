//! Printing the results of parallel scans in input order, as they come.
//!
//! Inputs are sorted by path and handed to worker threads in that order.
//! The input at the head (the first one not yet fully printed) streams its
//! hits straight to the printer, block by block; any other input keeps its
//! hits until every input before it is done, then they are flushed in
//! order. Output is therefore deterministic, and memory holds only the hits
//! of inputs that finished ahead of their turn — never those of a big file
//! being scanned, which soon becomes the head and streams (a 1 GB dump with
//! a million findings prints in flat memory). This is ripgrep's approach
//! to sorted parallel output without its cost of buffering everything.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use indicatif::ProgressBar;

use crate::report::{Hit, Printer, Problem, Source, Status, Summary};

/// An input that has been read to the end (or failed).
#[derive(Debug)]
pub(crate) struct Finished {
    pub(crate) source: Source,
    pub(crate) status: Status,
    /// Bytes read.
    pub(crate) bytes: u64,
    /// Hits not yet handed to [`Ordered::offer`] successfully.
    pub(crate) hits: Vec<Hit>,
    /// Findings suppressed by an allow rule or the baseline.
    pub(crate) allowed: usize,
}

/// The shared, ordered output of one scan.
pub(crate) struct Ordered {
    /// Index of the input whose hits may be written now.
    head: AtomicUsize,
    /// Set when writing failed: scanning further is pointless.
    broken: AtomicBool,
    state: Mutex<State>,
}

struct State {
    printer: Box<dyn Printer>,
    out: Box<dyn Write + Send>,
    /// Inputs finished before their turn, by index.
    waiting: BTreeMap<usize, Finished>,
    summary: Summary,
    /// Failed inputs, in output order.
    problems: Vec<Problem>,
    write_error: Option<io::Error>,
    /// A visible progress bar sharing the terminal with stdout: hidden
    /// while a hit is written, so lines and bar do not garble each other.
    bar: Option<ProgressBar>,
}

/// What is left once every input is printed.
pub(crate) struct Totals {
    pub(crate) summary: Summary,
    pub(crate) problems: Vec<Problem>,
    /// The first error writing output, if any.
    pub(crate) write_error: Option<io::Error>,
}

impl Ordered {
    /// Starts the output: `printer` writes to `out`. `problems` found before
    /// scanning (paths that could not be walked) come first in the report.
    /// `bar` is a progress bar drawn on the same terminal as `out`, if any.
    pub(crate) fn begin(
        printer: Box<dyn Printer>,
        out: Box<dyn Write + Send>,
        problems: Vec<Problem>,
        bar: Option<ProgressBar>,
    ) -> Ordered {
        let summary = Summary { errors: problems.len(), ..Summary::default() };
        let mut state = State { printer, out, waiting: BTreeMap::new(), summary, problems, write_error: None, bar };
        let result = state.printer.begin(&mut *state.out);
        state.record(result);
        let broken = AtomicBool::new(state.write_error.is_some());
        Ordered { head: AtomicUsize::new(0), broken, state: Mutex::new(state) }
    }

    /// Writes `hits` of input `index` now if it is the head, emptying the
    /// vector; otherwise leaves them for [`finish`](Self::finish).
    pub(crate) fn offer(&self, index: usize, source: &Source, hits: &mut Vec<Hit>) {
        if hits.is_empty() || self.head.load(Ordering::Acquire) != index {
            return;
        }
        let mut state = self.lock();
        state.write_hits(source, hits);
        self.note_broken(&state);
    }

    /// Records that input `index` is done; if it is the head, writes it and
    /// every waiting input after it that is done too.
    pub(crate) fn finish(&self, index: usize, finished: Finished) {
        let mut state = self.lock();
        // Only this input's own worker moves the head past it, so the check
        // cannot go stale while the lock is held.
        if self.head.load(Ordering::Acquire) != index {
            state.waiting.insert(index, finished);
            return;
        }
        state.complete(finished);
        let mut next = index + 1;
        while let Some(finished) = state.waiting.remove(&next) {
            state.complete(finished);
            next += 1;
        }
        self.head.store(next, Ordering::Release);
        self.note_broken(&state);
    }

    /// Whether output failed, so workers can stop early.
    pub(crate) fn is_broken(&self) -> bool {
        self.broken.load(Ordering::Relaxed)
    }

    /// Closes the output (summary, SARIF invocation…) and returns the totals.
    pub(crate) fn end(self) -> Totals {
        let mut state = self.state.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
        if state.write_error.is_none() {
            let State { printer, out, summary, problems, .. } = &mut state;
            let result = printer.end(summary, problems, &mut **out).and_then(|()| out.flush());
            state.record(result);
        }
        Totals { summary: state.summary, problems: state.problems, write_error: state.write_error }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking worker must not hide the others' results.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn note_broken(&self, state: &State) {
        if state.write_error.is_some() {
            self.broken.store(true, Ordering::Relaxed);
        }
    }
}

impl State {
    fn write_hits(&mut self, source: &Source, hits: &mut Vec<Hit>) {
        for hit in hits.drain(..) {
            self.summary.add_hit(&hit);
            if self.write_error.is_none() {
                let State { printer, out, bar, .. } = self;
                let result = match bar {
                    Some(bar) => bar.suspend(|| printer.hit(source, &hit, &mut **out).and_then(|()| out.flush())),
                    None => printer.hit(source, &hit, &mut **out),
                };
                self.record(result);
            }
        }
    }

    fn complete(&mut self, mut finished: Finished) {
        self.write_hits(&finished.source, &mut finished.hits);
        self.summary.add_input(&finished.status, finished.bytes);
        self.summary.allowed += finished.allowed;
        match finished.status {
            Status::Scanned | Status::Binary => {}
            Status::Failed(message) => self.problems.push(Problem { path: finished.source.display, message }),
        }
    }

    fn record(&mut self, result: io::Result<()>) {
        if let Err(err) = result {
            self.write_error.get_or_insert(err);
        }
    }
}

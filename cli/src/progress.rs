//! The progress bar: on stderr, only for a person watching a large scan.
//!
//! A bar that flickers for 20 ms is noise, and one in a CI log or a pipe is
//! garbage, so it appears only when stderr is a terminal and the work is
//! large ([`LARGE_BYTES`] or [`LARGE_FILES`]). It counts bytes, advanced
//! block by block from the scanning threads (indicatif's bar is shared and
//! rate-limits its own drawing).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Total input size from which a bar is shown.
pub(crate) const LARGE_BYTES: u64 = 64 * 1024 * 1024;
/// Number of files from which a bar is shown.
pub(crate) const LARGE_FILES: usize = 1000;

/// Whether a bar could be shown at all (stderr is a terminal), decided
/// before walking so that files are only stat'ed when it matters.
pub(crate) fn wanted(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// A byte-counting bar for `files` inputs totalling `bytes`, or a hidden one
/// when the work is small.
pub(crate) fn bar(wanted: bool, files: usize, bytes: u64) -> ProgressBar {
    if !wanted || (bytes < LARGE_BYTES && files < LARGE_FILES) {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, {eta})",
    )
    .expect("the progress template is valid");
    ProgressBar::with_draw_target(Some(bytes), ProgressDrawTarget::stderr()).with_style(style)
}

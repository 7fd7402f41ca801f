//! `phimask`: the command-line front end of the phimask core.
//!
//! The binary is thin on purpose: every decision about what counts as PHI
//! lives in the core crate, and this crate only turns arguments and
//! `.phimask.toml` into one [`phimask::EngineBuilder`], feeds it files, and
//! prints what comes back. One module per subcommand (`scan`, `detectors`,
//! `mask`, `keygen`, `hook`; `gitscan` for `scan --staged/--diff/--history`
//! and `baseline`), one per output format (`report/`), and the pieces they
//! share (`config`, `engine`, `walk`, `lines`, `progress`, `git`, `allow`,
//! `baseline`, `filekind`).
//!
//! Exit codes are the contract CI gates rely on: 0 nothing found, 1 findings,
//! 2 an error. An error always wins over findings and over a clean result,
//! so a scan that could not read everything never looks clean. `mask` and
//! `keygen` exit 0 on success (whether or not anything was masked) and 2 on
//! an error. Errors print
//! as `phimask: error: …` and are built from paths, options and detector ids,
//! never from scanned text.

mod allow;
mod baseline;
mod cleanup;
mod config;
mod detectors;
mod engine;
mod filekind;
mod git;
mod gitscan;
mod hook;
mod keygen;
mod lines;
mod mask;
mod ordered;
mod progress;
mod report;
mod scan;
mod walk;

use std::fmt;
use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Find Protected Health Information (PHI) in files, logs and source trees.
#[derive(Debug, Parser)]
#[command(name = "phimask", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan files, directories or standard input for PHI.
    ///
    /// Exit status: 0 nothing found, 1 findings, 2 error (an error wins over
    /// findings, so a partial scan never looks clean).
    Scan(scan::Args),
    /// Mask PHI in a text file or log (or standard input, line by line) as a
    /// policy says; every other byte is copied unchanged.
    ///
    /// The output is written to a temporary file beside it and renamed into
    /// place only when complete; the input is never overwritten unless
    /// --in-place is given. Exit status: 0 done, 2 error.
    Mask(mask::Args),
    /// Restore what `mask --policy tokenize` replaced, with the same key
    /// (label, hash, mask and redact are one-way and stay as they are).
    ///
    /// Written atomically like mask. Exit status: 0 done, 2 error.
    Unmask(mask::UnmaskArgs),
    /// Write a new random 256-bit key (for keyed policies such as tokenize)
    /// to a new file with mode 0600; prints its key id, never the key.
    Keygen(keygen::Args),
    /// List the active detectors: id, entity, Safe Harbor letter, description.
    Detectors(detectors::Args),
    /// Install or remove the git pre-commit hook that blocks PHI commits.
    Hook(hook::Args),
    /// Accept the current findings of a repository, so scans report only
    /// new ones (keyed fingerprints; no values, no line numbers).
    Baseline(gitscan::BaselineArgs),
}

/// The exit status of a finished command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Nothing found and nothing failed.
    Clean,
    /// At least one finding, and nothing failed.
    Found,
    /// Something failed (an unreadable path, for example); findings, if any,
    /// were still reported.
    Failed,
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> ExitCode {
        ExitCode::from(match outcome {
            Outcome::Clean => 0,
            Outcome::Found => 1,
            Outcome::Failed => 2,
        })
    }
}

/// A failure that stops a command before it produces a result (bad option,
/// bad config, bad pattern file). Always exit code 2.
///
/// The message is built from paths, option values and detector ids; core
/// errors are carried by their `Display`, which never holds scanned text.
#[derive(Debug)]
pub(crate) struct Failure(String);

impl Failure {
    /// A failure with this message.
    pub(crate) fn new(message: impl Into<String>) -> Failure {
        Failure(message.into())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<phimask::Error> for Failure {
    fn from(err: phimask::Error) -> Failure {
        Failure(err.to_string())
    }
}

/// Prints `phimask: error: {message}` on stderr.
pub(crate) fn print_error(message: impl fmt::Display) {
    let _ = writeln!(std::io::stderr().lock(), "phimask: error: {message}");
}

/// Prints `phimask: note: {message}` on stderr.
pub(crate) fn print_note(message: impl fmt::Display) {
    let _ = writeln!(std::io::stderr().lock(), "phimask: note: {message}");
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) if !err.use_stderr() => {
            // --help and --version.
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            // clap renders "error: …" plus usage; keep the house prefix.
            let rendered = err.render().to_string();
            let _ = write!(std::io::stderr().lock(), "phimask: {rendered}");
            return Outcome::Failed.into();
        }
    };
    let result = match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Mask(args) => mask::run(args),
        Command::Unmask(args) => mask::run_unmask(args),
        Command::Keygen(args) => keygen::run(args),
        Command::Detectors(args) => detectors::run(args),
        Command::Hook(args) => hook::run(args),
        Command::Baseline(args) => gitscan::run_baseline(args),
    };
    match result {
        Ok(outcome) => outcome.into(),
        Err(failure) => {
            print_error(failure);
            Outcome::Failed.into()
        }
    }
}

//! Turning command-line paths into the list of inputs to scan.
//!
//! Directories are walked with the `ignore` crate, so `.gitignore`,
//! `.ignore` and `.git/info/exclude` are honoured the way ripgrep honours
//! them (also outside a git repository). Unlike ripgrep, hidden files are
//! scanned (a `.env` is exactly where PHI hides); only `.git/` is skipped.
//! Files named on the command line are always scanned, ignore files or not,
//! but the config's `[paths] exclude` applies to them too, because hooks and
//! CI pass file names explicitly.
//!
//! The walk is sequential and produces a sorted list: the scan itself is
//! what runs in parallel, and sorting here makes the output deterministic.

use std::fs::Metadata;
use std::path::{Path, PathBuf};

use crate::config::Config;

/// Something to scan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Input {
    /// A file; `display` is the path as shown in reports.
    File { display: String, path: PathBuf, size: u64 },
    /// Standard input (`-`).
    Stdin,
}

impl Input {
    /// The name shown in reports: the path, or `<stdin>`.
    pub(crate) fn display(&self) -> &str {
        match self {
            Input::File { display, .. } => display,
            Input::Stdin => "<stdin>",
        }
    }
}

/// A path that could not be walked, with a message naming it.
#[derive(Debug)]
pub(crate) struct WalkError {
    pub(crate) display: String,
    pub(crate) message: String,
}

/// How to walk.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WalkOptions {
    /// Honour `.gitignore` and friends.
    pub(crate) ignore_files: bool,
    /// Stat files for their size (only needed for the progress bar).
    pub(crate) sizes: bool,
}

/// Expands `paths` (`-` is stdin) into inputs sorted by display path, with
/// duplicates removed, plus the paths that could not be read.
/// `implicit_root` means `.` was not typed by the user, so `./` is left off
/// displayed paths.
pub(crate) fn collect(
    paths: &[PathBuf],
    implicit_root: bool,
    config: Option<&Config>,
    cwd: &Path,
    options: WalkOptions,
) -> (Vec<Input>, Vec<WalkError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    let excluded = |path: &Path| config.is_some_and(|c| c.excludes(path, cwd));
    let size = |meta: Option<Metadata>| if options.sizes { meta.map_or(0, |m| m.len()) } else { 0 };
    for root in paths {
        if root.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let meta = match std::fs::metadata(root) {
            Ok(meta) => meta,
            Err(e) => {
                errors.push(WalkError { display: display(root, false), message: e.to_string() });
                continue;
            }
        };
        if !meta.is_dir() {
            if !excluded(root) {
                inputs.push(Input::File { display: display(root, false), path: root.clone(), size: size(Some(meta)) });
            }
            continue;
        }
        let mut walker = ignore::WalkBuilder::new(root);
        walker
            .hidden(false)
            .require_git(false)
            .git_ignore(options.ignore_files)
            .git_exclude(options.ignore_files)
            .git_global(options.ignore_files)
            .ignore(options.ignore_files)
            .parents(options.ignore_files)
            .filter_entry(move |entry| entry.depth() == 0 || entry.file_name() != ".git");
        for entry in walker.build() {
            match entry {
                Ok(entry) => {
                    if !entry.file_type().is_some_and(|t| t.is_file()) || excluded(entry.path()) {
                        continue;
                    }
                    let meta = if options.sizes { entry.metadata().ok() } else { None };
                    inputs.push(Input::File {
                        display: display(entry.path(), implicit_root),
                        size: size(meta),
                        path: entry.into_path(),
                    });
                }
                Err(err) => errors.push(walk_error(&err, implicit_root)),
            }
        }
    }
    inputs.sort();
    inputs.dedup_by(|a, b| a.display() == b.display());
    (inputs, errors)
}

/// A path as shown in reports: lossy UTF-8, and without the `./` of an
/// implicit root.
fn display(path: &Path, implicit_root: bool) -> String {
    let text = path.to_string_lossy();
    match text.strip_prefix("./") {
        Some(rest) if implicit_root => rest.to_string(),
        _ => text.into_owned(),
    }
}

/// An `ignore` error as a path plus message. Its messages hold paths and OS
/// errors (or an ignore-file line), never file contents being scanned.
fn walk_error(err: &ignore::Error, implicit_root: bool) -> WalkError {
    fn path_of(err: &ignore::Error) -> Option<&Path> {
        match err {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => path_of(err),
            _ => None,
        }
    }
    fn innermost(err: &ignore::Error) -> &ignore::Error {
        match err {
            ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => innermost(err),
            other => other,
        }
    }
    match path_of(err) {
        Some(path) => WalkError { display: display(path, implicit_root), message: innermost(err).to_string() },
        None => WalkError { display: String::new(), message: err.to_string() },
    }
}

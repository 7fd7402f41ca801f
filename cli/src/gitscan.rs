//! `scan --staged | --diff REV | --history` and `baseline create`: scanning
//! what git holds rather than what is on disk.
//!
//! The list of changes and their added lines come from `git` (see `git`);
//! each changed blob is then streamed from one `cat-file --batch` process
//! through the same [`Scanner`] as `phimask scan`, so file kinds, binary
//! skips, inline markers, `[allow]` and the baseline behave identically.
//! The whole blob is scanned — context words on unchanged neighbouring
//! lines still count — but only findings on added or changed lines are
//! reported, at their line and column in the new file.
//!
//! Paths are shown relative to the top of the work tree (as git shows
//! them), whatever the working directory; that is also the path
//! fingerprints use, so a baseline made anywhere in the tree matches.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use clap::{Args as ClapArgs, Subcommand};
use indicatif::ProgressBar;

use crate::allow::Filters;
use crate::baseline::{self, Accepted, BaselineKey, Entry};
use crate::config::Findings;
use crate::engine::EngineArgs;
use crate::git::{self, Added, Change, DiffRange, Repo, MODE_GITLINK};
use crate::ordered::{Finished, Ordered};
use crate::report::{self, Hit, Printer, Source, Status};
use crate::scan::{self, Args, Job, Scanner};
use crate::{config, print_note, Failure, Outcome};

/// Blobs at least this large have their blocks scanned on every core.
const PARALLEL_BLOB: u64 = 1024 * 1024;

/// Staged files at least this large are read from the working tree when it
/// holds the same bytes (see [`Repo::same_in_worktree`]).
const WORKTREE_READ: u64 = 8 * 1024 * 1024;

/// One blob to scan.
struct Target {
    /// The commit it was added in (`--history`).
    commit: Option<String>,
    change: Change,
    /// Read the working-tree file instead of the blob: same bytes, and
    /// git need not inflate them.
    from_worktree: bool,
}

/// Runs `phimask scan` with `--staged`, `--diff` or `--history`.
///
/// # Errors
/// A [`Failure`] when the command cannot start: not in a repository, bad
/// revision, bad config or baseline.
pub(crate) fn run(args: Args) -> Result<Outcome, Failure> {
    let cwd = std::env::current_dir().map_err(|e| Failure::new(format!("cannot read the working directory: {e}")))?;
    let repo = Repo::discover(&cwd)?;
    let config = args.engine.load_config(&cwd)?;
    // Building the engine is the biggest fixed cost of a hook run; git's
    // processes mostly wait, so list the changes on the other core meanwhile.
    let (engine, targets) = std::thread::scope(|scope| {
        let engine = scope.spawn(|| args.engine.build(config.as_ref(), Findings::Evidence));
        let targets = targets(&args, &repo);
        let engine = engine.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (engine, targets)
    });
    let (engine, mut targets) = (engine?, targets?);
    let baseline = match (&args.baseline, args.no_baseline) {
        (_, true) => None,
        (Some(path), false) => Some(Accepted::load(path, Some(&repo))?),
        (None, false) => {
            let default = repo.top.join(baseline::FILE_NAME);
            match default.is_file() {
                true => Some(Accepted::load(&default, Some(&repo))?),
                false => None,
            }
        }
    };
    let skip_path = baseline.as_ref().and_then(|b| b.path.clone());
    let filters = Filters { values: config.as_ref().map(|c| &c.allow), baseline };
    let file_kinds = args.engine.file_kinds(config.as_ref(), Findings::Evidence);

    let mut notes = Vec::new();
    targets.retain(|t| keep(&t.change, &repo, config.as_ref(), &cwd, skip_path.as_deref(), &mut notes));

    let detectors = scan::sarif_rules(&args, &engine, file_kinds);
    let output =
        Ordered::begin(report::printer(args.format, detectors, cwd.clone()), scan::stdout(&args), Vec::new(), None);
    let bar = ProgressBar::hidden();
    let scanner = Scanner {
        engine: &engine,
        show_values: args.show_values,
        explain: args.explain,
        mask_paths: args.mask_paths,
        bar: &bar,
        output: &output,
        cut_short: AtomicBool::new(false),
        block_threads: 1,
        filters: &filters,
        file_kinds,
        top: Some(&repo.top),
        cwd: &cwd,
    };
    scan_targets(&scanner, &repo, &targets)?;
    let cut_short = scanner.cut_short.into_inner();
    Ok(scan::finish(output.end(), &args, cut_short, &notes))
}

/// The blobs `--staged`, `--diff` or `--history` asks for.
fn targets(args: &Args, repo: &Repo) -> Result<Vec<Target>, Failure> {
    let mut targets = Vec::new();
    if args.history {
        for commit in repo.history()? {
            let changes = repo.changes(&DiffRange::Commit { id: commit.clone() })?;
            targets.extend(changes.into_iter().map(|change| Target {
                commit: Some(commit.clone()),
                change,
                from_worktree: false,
            }));
        }
    } else {
        let range = match &args.diff {
            Some(rev) => repo.since(rev)?,
            None => repo.staged()?,
        };
        targets.extend(repo.changes(&range)?.into_iter().map(|change| Target {
            commit: None,
            change,
            from_worktree: false,
        }));
        if args.staged {
            let big: Vec<&[u8]> = targets
                .iter()
                .map(|t| t.change.path.as_slice())
                .filter(|p| {
                    std::fs::metadata(repo.top.join(path_of(p))).is_ok_and(|m| m.is_file() && m.len() >= WORKTREE_READ)
                })
                .collect();
            let same = repo.same_in_worktree(&big)?;
            for target in &mut targets {
                target.from_worktree = same.contains(&target.change.path);
            }
        }
    }
    Ok(targets)
}

/// Whether to scan `change`: not a submodule (noted), not excluded by
/// `[paths] exclude`, not the baseline file, and with something added.
fn keep(
    change: &Change,
    repo: &Repo,
    config: Option<&config::Config>,
    cwd: &Path,
    skip: Option<&str>,
    notes: &mut Vec<String>,
) -> bool {
    let display = git::display(&change.path);
    if change.mode == MODE_GITLINK {
        notes.push(format!("{display}: submodule skipped (scan it in its own repository)"));
        return false;
    }
    if change.added == Added::Lines(Vec::new()) || skip == Some(display.as_str()) {
        return false;
    }
    !config.is_some_and(|c| c.excludes(&repo.top.join(path_of(&change.path)), cwd))
}

/// A path from git's bytes.
fn path_of(bytes: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
    }
}

/// Streams every target's blob through `scanner`, one after the other (a
/// large blob gets all cores for its blocks).
fn scan_targets(scanner: &Scanner<'_>, repo: &Repo, targets: &[Target]) -> Result<(), Failure> {
    if targets.is_empty() {
        return Ok(());
    }
    let mut blobs: Option<git::Blobs> = None;
    let mut broken = false;
    for (index, target) in targets.iter().enumerate() {
        let display = git::display(&target.change.path);
        let source = Source { display: scanner.shown(&display), stdin: false, commit: target.commit.clone() };
        let mut finished = Finished { source, status: Status::Scanned, bytes: 0, hits: Vec::new(), allowed: 0 };
        if target.from_worktree {
            match File::open(repo.top.join(path_of(&target.change.path))) {
                Ok(file) => {
                    let job =
                        Job { key: &display, added: Some(&target.change.added), threads: Some(scan::all_threads()) };
                    scanner.scan_reader(index, file, &mut finished, &job);
                }
                Err(err) => finished.status = Status::Failed(err.to_string()),
            }
        } else if broken {
            finished.status = Status::Failed("not read: git cat-file failed earlier".into());
        } else {
            let blobs = match &mut blobs {
                Some(blobs) => blobs,
                None => blobs.insert(repo.blobs()?),
            };
            match blobs.open(&target.change.oid) {
                Ok(Some((size, mut reader))) => {
                    let threads = if size >= PARALLEL_BLOB { scan::all_threads() } else { 1 };
                    let job = Job { key: &display, added: Some(&target.change.added), threads: Some(threads) };
                    scanner.scan_reader(index, &mut reader, &mut finished, &job);
                    let left = reader.limit();
                    if let Err(err) = blobs.finish(left) {
                        finished.status = Status::Failed(format!("cannot read from git cat-file: {err}"));
                        broken = true;
                    }
                }
                Ok(None) => finished.status = Status::Failed("blob is missing from the object store".into()),
                Err(err) => {
                    finished.status = Status::Failed(format!("cannot read from git cat-file: {err}"));
                    broken = true;
                }
            }
        }
        scanner.output.finish(index, finished);
    }
    Ok(())
}

/// Arguments of `phimask baseline`.
#[derive(Debug, ClapArgs)]
pub(crate) struct BaselineArgs {
    #[command(subcommand)]
    command: BaselineCommand,
}

#[derive(Debug, Subcommand)]
enum BaselineCommand {
    /// Accept every current finding in the files of the git index: writes
    /// their keyed fingerprints (path, detector, value; no values, no line
    /// numbers) to .phimask-baseline.json. Creates the key
    /// .git/phimask-key (mode 0600) on first use unless
    /// PHIMASK_BASELINE_KEY is set.
    Create(CreateArgs),
}

#[derive(Debug, ClapArgs)]
struct CreateArgs {
    /// Where to write the baseline (default: .phimask-baseline.json at the
    /// top of the work tree).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    #[command(flatten)]
    engine: EngineArgs,

    /// Print nothing on stderr but errors.
    #[arg(short, long)]
    quiet: bool,
}

/// Runs `phimask baseline`.
///
/// # Errors
/// A [`Failure`] when not in a repository, or the config, key or output
/// file is bad.
pub(crate) fn run_baseline(args: BaselineArgs) -> Result<Outcome, Failure> {
    let BaselineCommand::Create(args) = args.command;
    let cwd = std::env::current_dir().map_err(|e| Failure::new(format!("cannot read the working directory: {e}")))?;
    let repo = Repo::discover(&cwd)?;
    let config = args.engine.load_config(&cwd)?;
    let engine = args.engine.build(config.as_ref(), Findings::Evidence)?;
    let output_path = match &args.output {
        Some(path) => cwd.join(path),
        None => repo.top.join(baseline::FILE_NAME),
    };
    let skip = config::normalize(&output_path).strip_prefix(&repo.top).ok().map(|p| p.to_string_lossy().into_owned());
    let key = Arc::new(BaselineKey::load(Some(&repo), true)?);
    let filters = Filters { values: config.as_ref().map(|c| &c.allow), baseline: None };
    let file_kinds = args.engine.file_kinds(config.as_ref(), Findings::Evidence);

    let mut notes = Vec::new();
    let files: Vec<Target> = repo
        .index_files()?
        .into_iter()
        .filter(|change| keep(change, &repo, config.as_ref(), &cwd, skip.as_deref(), &mut notes))
        .map(|change| Target { commit: None, change, from_worktree: false })
        .collect();
    let entries = Arc::new(Mutex::new(BTreeSet::new()));
    let collect = Collect { key: Arc::clone(&key), entries: Arc::clone(&entries) };
    let output = Ordered::begin(Box::new(collect), Box::new(io::sink()), Vec::new(), None);
    let bar = ProgressBar::hidden();
    let scanner = Scanner {
        engine: &engine,
        show_values: true,
        explain: false,
        mask_paths: false,
        bar: &bar,
        output: &output,
        cut_short: AtomicBool::new(false),
        block_threads: 1,
        filters: &filters,
        file_kinds,
        top: Some(&repo.top),
        cwd: &cwd,
    };
    scan_targets(&scanner, &repo, &files)?;
    let totals = output.end();
    for problem in &totals.problems {
        crate::print_error(format_args!("{}: {}", problem.path, problem.message));
    }
    if totals.summary.errors > 0 {
        return Err(Failure::new("baseline not written: some files could not be read"));
    }
    let entries = std::mem::take(&mut *entries.lock().unwrap_or_else(|p| p.into_inner()));
    let count = baseline::write(&output_path, &key, entries)?;
    if !args.quiet {
        for note in &notes {
            print_note(note);
        }
        let _ = writeln!(
            io::stderr().lock(),
            "phimask: wrote {} with {count} accepted finding{} ({} in {} files; key id {})",
            output_path.display(),
            if count == 1 { "" } else { "s" },
            totals.summary.findings,
            totals.summary.files,
            key.key_id(),
        );
    }
    Ok(Outcome::Clean)
}

/// A printer that turns hits into baseline entries instead of text.
struct Collect {
    key: Arc<BaselineKey>,
    entries: Arc<Mutex<BTreeSet<Entry>>>,
}

impl Printer for Collect {
    fn hit(&mut self, source: &Source, hit: &Hit, _out: &mut dyn Write) -> io::Result<()> {
        let value = hit.value.as_deref().unwrap_or_default();
        let entry = Entry {
            path: source.display.clone(),
            detector: hit.detector.clone(),
            entity: hit.entity.as_str().to_string(),
            fingerprint: self.key.fingerprint(&source.display, &hit.detector, value.as_bytes()),
        };
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).insert(entry);
        Ok(())
    }
}

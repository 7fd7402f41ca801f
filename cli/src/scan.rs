//! `phimask scan`: find PHI in files, directories and standard input.
//!
//! The flow is one way: options and config → one engine → the sorted input
//! list (`walk`) → worker threads taking inputs in order, each streamed
//! through [`Engine::scan_blocks`] in bounded memory → the `ordered` output,
//! which prints hits by path then offset as soon as their turn comes → one
//! output format. Inputs are sorted by path and findings within an input
//! come out of the core sorted by offset, so output is deterministic.
//!
//! DICOM files are findings by file kind (`filekind`), and so are images
//! when every finding is reported (`--report all`); otherwise an image is
//! only its path. Nothing else is skipped: UTF-16 and UTF-32 text (a byte-order mark, or the NULs
//! of ASCII-range wide text) is decoded and scanned as text, and other
//! binary input (a NUL byte in the first 8 KiB) is scanned as bytes, so PHI
//! in its printable runs is found (a skipped file would look clean to a
//! hook). The sniffed bytes are chained in front of the rest of the reader,
//! so nothing is read twice and standard input works too.
//!
//! Each core finding then passes the false-positive filters (`allow`:
//! inline `phimask:allow`, `[allow]` values, the baseline); allowed ones are
//! only counted. `--staged`, `--diff` and `--history` hand over to
//! `gitscan`, which feeds git blobs through the same [`Scanner`] with the
//! added lines of each file, so both paths report alike.

use std::fs::File;
use std::io::{self, BufWriter, Cursor, IsTerminal, Read, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use clap::{Args as ClapArgs, ValueEnum};
use indicatif::ProgressBar;
use phimask::encoding::{self, DecodeReader, Sniffed};
use phimask::{Block, DetectorInfo, Engine, SNIFF_LEN};

use crate::allow::{Candidate, Filters, Inline, LineMarkers};
use crate::baseline::Accepted;
use crate::config::Findings;
use crate::engine::{EngineArgs, FileKinds};
use crate::git::{Added, Repo};
use crate::lines::{self, LineCounter, Position};
use crate::ordered::{Finished, Ordered, Totals};
use crate::report::{self, Format, Hit, Problem, Source, Status};
use crate::walk::{self, Input, WalkOptions};
use crate::{config, filekind, gitscan, print_error, print_note, progress, Failure, Outcome};

/// Arguments of `phimask scan`.
#[derive(Debug, ClapArgs)]
pub(crate) struct Args {
    /// Files or directories to scan; `-` is standard input. Without paths,
    /// standard input is read when it is piped or redirected, else `.` is
    /// scanned. Directories are walked recursively, honouring .gitignore and
    /// .ignore files; hidden files are scanned, `.git/` is not.
    #[arg(value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,

    /// Print raw PHI values: replaces the masked preview in text output and
    /// adds a `value` field to json/jsonl (SARIF never holds values).
    #[arg(long)]
    pub(crate) show_values: bool,

    #[command(flatten)]
    pub(crate) engine: EngineArgs,

    /// Show paths with the PHI found in them masked (`****_*****_SSN.txt`),
    /// in every output format and message.
    #[arg(long)]
    pub(crate) mask_paths: bool,

    /// Say why each finding was reported: its detector, score and the
    /// person evidence of its record (text: a `why:` line under it;
    /// json/jsonl: a `why` field; SARIF: a `why` property).
    #[arg(long)]
    pub(crate) explain: bool,

    /// Accepted for compatibility: binary files are always scanned, as
    /// bytes.
    #[arg(long, hide = true)]
    pub(crate) binary: bool,

    /// Do not honour .gitignore, .ignore and .git/info/exclude files.
    #[arg(long)]
    pub(crate) no_ignore: bool,

    /// When to colour text output (auto: when stdout is a terminal and
    /// NO_COLOR is unset).
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub(crate) color: ColorWhen,

    /// Print no summary, notes or progress bar on stderr (errors still print).
    #[arg(short, long)]
    pub(crate) quiet: bool,

    /// Scan what is staged for the next commit (the git index, not the
    /// working tree), reporting only added or changed lines. What the
    /// pre-commit hook runs.
    #[arg(long, conflicts_with_all = ["paths", "diff", "history"])]
    pub(crate) staged: bool,

    /// Scan what HEAD adds since its merge base with REV (CI on a pull
    /// request: `--diff origin/main`), reporting only added or changed lines.
    #[arg(long, value_name = "REV", conflicts_with_all = ["paths", "history"])]
    pub(crate) diff: Option<String>,

    /// Scan every commit reachable from HEAD (a one-off audit); each finding
    /// names its commit.
    #[arg(long, conflicts_with = "paths")]
    pub(crate) history: bool,

    /// Report only findings not accepted in this baseline (see `phimask
    /// baseline create`). With --staged, --diff and --history the top's
    /// .phimask-baseline.json is used when it exists.
    #[arg(long, value_name = "FILE", conflicts_with = "no_baseline")]
    pub(crate) baseline: Option<PathBuf>,

    /// Use no baseline, even when .phimask-baseline.json exists.
    #[arg(long)]
    pub(crate) no_baseline: bool,
}

/// The `--color` choices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// What every scanning worker shares.
pub(crate) struct Scanner<'a> {
    pub(crate) engine: &'a Engine,
    pub(crate) show_values: bool,
    /// `--explain`: each hit says why it was reported.
    pub(crate) explain: bool,
    /// `--mask-paths`: paths are shown with their PHI masked.
    pub(crate) mask_paths: bool,
    pub(crate) bar: &'a ProgressBar,
    pub(crate) output: &'a Ordered,
    /// Set when an input was left unread because output broke.
    pub(crate) cut_short: AtomicBool,
    /// Threads scanning the blocks of one input: all cores when there is
    /// a single input (one big file or stdin), else one (the inputs
    /// themselves are spread over the cores).
    pub(crate) block_threads: usize,
    /// Inline markers, `[allow]` values and the baseline.
    pub(crate) filters: &'a Filters<'a>,
    /// Which file kinds are findings.
    pub(crate) file_kinds: FileKinds,
    /// The repository top, for the paths fingerprints use.
    pub(crate) top: Option<&'a Path>,
    pub(crate) cwd: &'a Path,
}

/// What is known about one input beyond its bytes.
pub(crate) struct Job<'a> {
    /// The path fingerprints use: relative to the repository top.
    pub(crate) key: &'a str,
    /// Lines that count (`--staged`, `--diff`, `--history`); `None` is all.
    pub(crate) added: Option<&'a Added>,
    /// Threads for this input's blocks, instead of the scanner's default.
    pub(crate) threads: Option<usize>,
}

/// Runs `phimask scan`.
///
/// # Errors
/// A [`Failure`] when the command cannot start (bad config, pattern file
/// or option). Problems with individual paths do not stop the scan: they
/// are printed and make the outcome [`Outcome::Failed`].
pub(crate) fn run(args: Args) -> Result<Outcome, Failure> {
    if args.staged || args.diff.is_some() || args.history {
        return gitscan::run(args);
    }
    let cwd = std::env::current_dir().map_err(|e| Failure::new(format!("cannot read the working directory: {e}")))?;
    let config = args.engine.load_config(&cwd)?;
    let engine = args.engine.build(config.as_ref(), Findings::Evidence)?;
    let repo = if args.baseline.is_some() { Repo::discover(&cwd).ok() } else { None };
    let baseline = match &args.baseline {
        Some(path) if !args.no_baseline => Some(Accepted::load(path, repo.as_ref())?),
        _ => None,
    };
    let filters = Filters { values: config.as_ref().map(|c| &c.allow), baseline };
    let file_kinds = args.engine.file_kinds(config.as_ref(), Findings::Evidence);

    let (paths, implicit_root) = match args.paths.is_empty() {
        false => (args.paths.clone(), false),
        true if stdin_is_readable() => (vec![PathBuf::from("-")], false),
        true => (vec![PathBuf::from(".")], true),
    };
    let show_bar = progress::wanted(args.quiet);
    let options = WalkOptions { ignore_files: !args.no_ignore, sizes: show_bar };
    let (inputs, walk_errors) = walk::collect(&paths, implicit_root, config.as_ref(), &cwd, options);

    let total: u64 = inputs.iter().map(|i| if let Input::File { size, .. } = i { *size } else { 0 }).sum();
    let bar = progress::bar(show_bar, inputs.len(), total);
    let detectors = sarif_rules(&args, &engine, file_kinds);
    let problems = walk_errors
        .into_iter()
        .map(|e| Problem {
            path: if args.mask_paths { masked_path(&engine, &e.display) } else { e.display },
            message: e.message,
        })
        .collect();
    let shared_terminal = (!bar.is_hidden() && io::stdout().is_terminal()).then(|| bar.clone());
    let output =
        Ordered::begin(report::printer(args.format, detectors, cwd.clone()), stdout(&args), problems, shared_terminal);
    let scanner = Scanner {
        engine: &engine,
        show_values: args.show_values,
        explain: args.explain,
        mask_paths: args.mask_paths,
        bar: &bar,
        output: &output,
        cut_short: AtomicBool::new(false),
        block_threads: if inputs.len() == 1 { all_threads() } else { 1 },
        filters: &filters,
        file_kinds,
        top: repo.as_ref().map(|r| r.top.as_path()),
        cwd: &cwd,
    };
    scanner.run_all(&inputs);
    let cut_short = scanner.cut_short.into_inner();
    bar.finish_and_clear();
    Ok(finish(output.end(), &args, cut_short, &[]))
}

/// The threads a single large input is scanned with.
pub(crate) fn all_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// SARIF's rules: the engine's detectors plus the file kinds reported.
pub(crate) fn sarif_rules(args: &Args, engine: &Engine, file_kinds: FileKinds) -> Vec<DetectorInfo> {
    if args.format != Format::Sarif {
        return Vec::new();
    }
    let mut rules = engine.detectors();
    rules.extend(filekind::detector_infos(file_kinds));
    rules
}

/// Ends a scan: prints problems, notes, the summary and the allow hint on
/// stderr, and decides the outcome. `notes` (skipped submodules, say) are
/// printed before the summary.
pub(crate) fn finish(totals: Totals, args: &Args, cut_short: bool, notes: &[String]) -> Outcome {
    let summary = &totals.summary;
    let mut outcome = match (summary.errors, summary.findings) {
        (0, 0) => Outcome::Clean,
        (0, _) => Outcome::Found,
        _ => Outcome::Failed,
    };
    if let Some(err) = &totals.write_error {
        if err.kind() != io::ErrorKind::BrokenPipe {
            print_error(format_args!("cannot write output: {err}"));
            outcome = Outcome::Failed;
        } else if outcome == Outcome::Clean && cut_short {
            // The reader went away and the scan stopped early: not clean.
            outcome = Outcome::Failed;
        }
    }
    for problem in &totals.problems {
        match problem.path.is_empty() {
            true => print_error(&problem.message),
            false => print_error(format_args!("{}: {}", problem.path, problem.message)),
        }
    }
    if !args.quiet {
        for note in notes {
            print_note(note);
        }
        if args.format == Format::Text {
            let mut err = io::stderr().lock();
            let _ = writeln!(err, "phimask: {}", report::summary_line(summary));
            if summary.findings > 0 {
                let _ = writeln!(err, "phimask: {}", report::ALLOW_HINT);
            }
        }
    }
    outcome
}

/// Standard output for the chosen format. Text goes through `anstream`,
/// which decides about colour (terminal, `NO_COLOR`, `--color`).
pub(crate) fn stdout(args: &Args) -> Box<dyn Write + Send> {
    if args.format != Format::Text {
        return Box::new(BufWriter::new(io::stdout()));
    }
    let choice = match args.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
    Box::new(BufWriter::new(anstream::stdout()))
}

impl Scanner<'_> {
    /// Scans every input, in parallel when there are several: each worker
    /// takes the next input in order, so the head of the output is always
    /// being worked on.
    fn run_all(&self, inputs: &[Input]) {
        let next = AtomicUsize::new(0);
        let work = || loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            match inputs.get(index) {
                Some(input) => self.scan(index, input),
                None => break,
            }
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(inputs.len());
        if threads <= 1 {
            work();
        } else {
            std::thread::scope(|scope| {
                for _ in 1..threads {
                    scope.spawn(work);
                }
                work();
            });
        }
    }

    /// Scans input number `index` to the end (or to its first read error)
    /// and hands the result to the ordered output.
    fn scan(&self, index: usize, input: &Input) {
        let source =
            Source { display: self.shown(input.display()), stdin: matches!(input, Input::Stdin), commit: None };
        let mut finished = Finished { source, status: Status::Scanned, bytes: 0, hits: Vec::new(), allowed: 0 };
        if self.output.is_broken() {
            // Output is gone; stop without reading more.
            self.cut_short.store(true, Ordering::Relaxed);
            self.output.finish(index, finished);
            return;
        }
        match input {
            Input::Stdin => {
                let job = Job { key: "<stdin>", added: None, threads: None };
                self.scan_reader(index, io::stdin().lock(), &mut finished, &job)
            }
            Input::File { path, size, display } => {
                let key = self.key_path(path, display);
                let job = Job { key: &key, added: None, threads: None };
                match File::open(path) {
                    Ok(file) => self.scan_reader(index, file, &mut finished, &job),
                    Err(err) => finished.status = Status::Failed(err.to_string()),
                }
                // Skipped and failed files still count towards the bar's total.
                self.bar.inc(size.saturating_sub(finished.bytes));
            }
        }
        self.output.finish(index, finished);
    }

    /// The path a file's fingerprints use: relative to the repository top
    /// when there is one and the file is inside it, else as displayed.
    fn key_path(&self, path: &Path, display: &str) -> String {
        let Some(top) = self.top else { return display.to_string() };
        let absolute = config::normalize(&self.cwd.join(path));
        match absolute.strip_prefix(top) {
            Ok(relative) => relative.to_string_lossy().into_owned(),
            Err(_) => display.to_string(),
        }
    }

    /// Scans one input to its end: a file-kind finding for images and DICOM
    /// files, else the text findings that survive the filters (and, with
    /// `job.added`, lie on added lines). Wide text is decoded first; other
    /// binary input is scanned as bytes.
    pub(crate) fn scan_reader(&self, index: usize, mut reader: impl Read, finished: &mut Finished, job: &Job<'_>) {
        let head = match sniff(&mut reader) {
            Ok(head) => head,
            Err(err) => {
                finished.status = Status::Failed(err.to_string());
                return;
            }
        };
        let kind = filekind::detect(&head);
        let image = matches!(kind, Some(filekind::Kind::Image(_)));
        if kind.is_some_and(|k| self.file_kinds.reports(k)) || image {
            // A reported kind is one finding; an image that is not reported
            // is nothing but its path (its pixels are not text). A DICOM
            // file that is not reported is scanned as bytes: its header
            // holds the patient's name in plain text.
            match kind.filter(|&k| self.file_kinds.reports(k)) {
                Some(kind) => self.file_kind_hit(kind, job, finished),
                None => self.path_hits(job, finished),
            }
            finished.bytes = head.len() as u64 + io::copy(&mut reader, &mut io::sink()).unwrap_or(0);
            return;
        }
        self.path_hits(job, finished);
        let sniffed = encoding::sniff(&head);
        let whole = Cursor::new(head).chain(reader);
        match sniffed {
            Sniffed::Wide { encoding, .. } => {
                self.scan_text(index, DecodeReader::new(whole, encoding, true), finished, job);
            }
            Sniffed::Binary => {
                self.scan_text(index, whole, finished, job);
                if finished.status == Status::Scanned {
                    finished.status = Status::Binary;
                }
            }
            Sniffed::Text => self.scan_text(index, whole, finished, job),
        }
    }

    /// With `--explain`, why `finding` was reported: its detector, score
    /// and evidence.
    fn why(&self, finding: &phimask::Finding, place: &str) -> Option<String> {
        self.explain
            .then(|| format!("{place}{} scored {:.2}; {}", finding.detector(), finding.score(), finding.evidence()))
    }

    /// A path as output shows it: masked with `--mask-paths`.
    pub(crate) fn shown(&self, display: &str) -> String {
        if self.mask_paths {
            masked_path(self.engine, display)
        } else {
            display.to_string()
        }
    }

    /// Findings in the file's own path (`John_Smith_SSN_….txt`): the path
    /// relative to the repository top is scanned with `_` and `/` read as
    /// spaces (a name or an SSN between underscores has no word boundary
    /// otherwise). Reported at line 1, column 1 with detector
    /// `path:<detector>`. Under `--staged`, `--diff` and `--history` only
    /// for a new file, not for every change to it.
    fn path_hits(&self, job: &Job<'_>, finished: &mut Finished) {
        if job.key == "<stdin>" || job.added.is_some_and(|a| !matches!(a, Added::All)) {
            return;
        }
        for finding in path_findings(self.engine, job.key) {
            let value = &job.key.as_bytes()[finding.span()];
            let candidate = Candidate {
                path: job.key,
                detector: finding.detector(),
                entity: finding.entity(),
                value,
                markers: &Inline::Nothing,
            };
            if self.filters.allows(&candidate) {
                finished.allowed += 1;
                continue;
            }
            let at = Position { line: 1, column: 1 };
            finished.hits.push(Hit {
                start: 0,
                end: 0,
                from: at,
                to: at,
                entity: finding.entity(),
                detector: format!("path:{}", finding.detector()),
                score: finding.score(),
                preview: phimask::preview(finding.entity(), value),
                value: self.show_values.then(|| String::from_utf8_lossy(value).into_owned()),
                why: self.why(&finding, "in the file's path: "),
            });
        }
    }

    /// Scans text (or bytes) to its end.
    fn scan_text(&self, index: usize, reader: impl Read, finished: &mut Finished, job: &Job<'_>) {
        let mut lines = LineCounter::default();
        let mut markers = LineMarkers::new();
        let mut read = 0u64;
        let threads = job.threads.unwrap_or(self.block_threads);
        // Source code and data differ in how far a patient label vouches.
        let engine = self.engine.for_text(phimask::TextKind::from_path(job.key));
        let result = engine.scan_blocks_parallel(reader, threads, |block| {
            for finding in block.findings {
                match self.hit(&block, finding, &mut lines, &mut markers, job) {
                    Some(Kept::Hit(hit)) => finished.hits.push(hit),
                    Some(Kept::Allowed) => finished.allowed += 1,
                    None => {}
                }
            }
            lines.finish_block(&block);
            markers.finish_block();
            read += block.bytes.len() as u64;
            self.bar.inc(block.bytes.len() as u64);
            self.output.offer(index, &finished.source, &mut finished.hits);
            if self.output.is_broken() {
                self.cut_short.store(true, Ordering::Relaxed);
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        });
        finished.bytes = read;
        if let Err(err) = result {
            // The core's I/O errors carry the OS message only.
            finished.status = Status::Failed(err.to_string());
        }
    }

    /// The finding for an image or DICOM file, unless the baseline accepts it.
    fn file_kind_hit(&self, kind: filekind::Kind, job: &Job<'_>, finished: &mut Finished) {
        let start = Position { line: 1, column: 1 };
        let accepted = self.filters.baseline.as_ref().is_some_and(|b| b.contains(job.key, kind.detector(), b""));
        if accepted {
            finished.allowed += 1;
            return;
        }
        finished.hits.push(Hit {
            start: 0,
            end: 0,
            from: start,
            to: start,
            entity: kind.entity(),
            detector: kind.detector().to_string(),
            score: 1.0,
            preview: kind.preview(),
            value: None,
            why: self.explain.then(|| format!("{}: {} by its kind", kind.detector(), kind.preview())),
        });
    }

    /// Turns a core finding into a printable hit, or says it was allowed;
    /// `None` for findings off the added lines. The value's bytes are
    /// sliced from the block and masked here, and kept raw only on request.
    fn hit(
        &self,
        block: &Block<'_>,
        finding: &phimask::Finding,
        lines: &mut LineCounter,
        markers: &mut LineMarkers,
        job: &Job<'_>,
    ) -> Option<Kept> {
        let start = finding.start().checked_sub(block.offset)?;
        let end = finding.end().checked_sub(block.offset)?;
        let value = block.bytes.get(start..end)?;
        let from = lines.position(block, finding.start());
        let to = lines::end_of(from, value);
        if let Some(added) = job.added {
            // A value ending right after a newline does not reach that line.
            let last = if to.column == 1 && to.line > from.line { to.line - 1 } else { to.line };
            if !added.touches(from.line, last) {
                return None;
            }
        }
        let candidate = Candidate {
            path: job.key,
            detector: finding.detector(),
            entity: finding.entity(),
            value,
            markers: markers.at(block.bytes, start),
        };
        if self.filters.allows(&candidate) {
            return Some(Kept::Allowed);
        }
        Some(Kept::Hit(Hit {
            start: finding.start(),
            end: finding.end(),
            from,
            to,
            entity: finding.entity(),
            detector: finding.detector().to_string(),
            score: finding.score(),
            preview: phimask::preview(finding.entity(), value),
            value: self.show_values.then(|| String::from_utf8_lossy(value).into_owned()),
            why: self.why(finding, ""),
        }))
    }
}

/// What became of a finding that lies on a line that counts.
enum Kept {
    Hit(Hit),
    Allowed,
}

/// The findings in a path: its byte spans and findings, scanned with `_`,
/// `/`, `\\` and the dot before a file extension read as spaces (same
/// length, so spans map back; `SSN_123-45-6789.txt` has no word boundary
/// around its SSN otherwise).
///
/// A path is not a record: weak identifiers (a name, a date, a phone
/// number, an address…) are reported only when the same path holds a
/// strong one (an SSN, an MRN, a card number…), so `2024-01-15-notes.md`
/// or `docs/John_Smith.md` is quiet and `John_Smith_SSN_123-45-6789.txt`
/// is not.
pub(crate) fn path_findings(engine: &Engine, path: &str) -> Vec<phimask::Finding> {
    let mut spaced: Vec<u8> = path.bytes().map(|b| if matches!(b, b'_' | b'/' | b'\\') { b' ' } else { b }).collect();
    let name_start = spaced.iter().rposition(|&b| b == b' ').map_or(0, |i| i + 1);
    if let Some(dot) = spaced[name_start..].iter().rposition(|&b| b == b'.') {
        let ext = &spaced[name_start + dot + 1..];
        if dot > 0 && (1..=8).contains(&ext.len()) && ext.iter().all(u8::is_ascii_alphanumeric) {
            spaced[name_start + dot] = b' ';
        }
    }
    let found = engine.scan_bytes(&spaced);
    let strong = found.iter().any(|f| !weak(f.entity()));
    found.into_iter().filter(|f| strong || !weak(f.entity())).collect()
}

/// Identifiers that say something about a person only in a record about
/// one (see [`path_findings`]).
fn weak(entity: phimask::Entity) -> bool {
    use phimask::Entity as E;
    matches!(entity, E::Name | E::Date | E::Phone | E::Fax | E::Email | E::Url | E::Ip | E::Address | E::City | E::Zip)
}

/// `path` with the PHI found in it masked (`--mask-paths`).
pub(crate) fn masked_path(engine: &Engine, path: &str) -> String {
    let mut out = path.to_string();
    for finding in path_findings(engine, path).into_iter().rev() {
        let masked: String = path[finding.span()].chars().map(|c| if c.is_alphanumeric() { '*' } else { c }).collect();
        out.replace_range(finding.span(), &masked);
    }
    out
}

/// Reads up to [`SNIFF_LEN`] bytes (fewer only at end of input).
pub(crate) fn sniff(reader: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(SNIFF_LEN);
    reader.by_ref().take(SNIFF_LEN as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Whether standard input is something to read: a pipe, a regular file or
/// a socket. A terminal is not, and neither is `/dev/null` (what CI jobs and
/// hooks often get), so a bare `phimask scan` there scans `.` like ripgrep.
fn stdin_is_readable() -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        use std::os::unix::fs::FileTypeExt;
        let Ok(fd) = io::stdin().as_fd().try_clone_to_owned() else {
            return false;
        };
        let Ok(meta) = File::from(fd).metadata() else {
            return false;
        };
        let kind = meta.file_type();
        kind.is_file() || kind.is_fifo() || kind.is_socket()
    }
    #[cfg(not(unix))]
    {
        !io::stdin().is_terminal()
    }
}

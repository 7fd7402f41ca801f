//! `phimask scan`: find PHI in files, directories and standard input.
//!
//! The flow is one way: options and config → one engine → the sorted input
//! list (`walk`) → worker threads taking inputs in order, each streamed
//! through [`Engine::scan_blocks`] in bounded memory → the `ordered` output,
//! which prints hits by path then offset as soon as their turn comes → one
//! output format. Inputs are sorted by path and findings within an input
//! come out of the core sorted by offset, so output is deterministic.
//!
//! Binary inputs (a NUL byte in the first 8 KiB, as ripgrep decides) are
//! skipped with a note. The sniffed bytes are chained in front of the rest
//! of the reader, so nothing is read twice and standard input works too.

use std::fs::File;
use std::io::{self, BufWriter, Cursor, IsTerminal, Read, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use clap::{Args as ClapArgs, ValueEnum};
use indicatif::ProgressBar;
use phimask::{Block, Engine};

use crate::engine::EngineArgs;
use crate::lines::{self, LineCounter};
use crate::ordered::{Finished, Ordered};
use crate::report::{self, Format, Hit, Problem, Source, Status};
use crate::walk::{self, Input, WalkOptions};
use crate::{print_error, print_note, progress, Failure, Outcome};

/// How many leading bytes are sniffed for a NUL to call an input binary.
const SNIFF_LEN: usize = 8 * 1024;

/// Arguments of `phimask scan`.
#[derive(Debug, ClapArgs)]
pub(crate) struct Args {
    /// Files or directories to scan; `-` is standard input. Without paths,
    /// standard input is read when it is piped or redirected, else `.` is
    /// scanned. Directories are walked recursively, honouring .gitignore and
    /// .ignore files; hidden files are scanned, `.git/` is not.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Print raw PHI values: replaces the masked preview in text output and
    /// adds a `value` field to json/jsonl (SARIF never holds values).
    #[arg(long)]
    show_values: bool,

    #[command(flatten)]
    engine: EngineArgs,

    /// Scan files that look binary too, as bytes, instead of skipping them.
    #[arg(long)]
    binary: bool,

    /// Do not honour .gitignore, .ignore and .git/info/exclude files.
    #[arg(long)]
    no_ignore: bool,

    /// When to colour text output (auto: when stdout is a terminal and
    /// NO_COLOR is unset).
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    color: ColorWhen,

    /// Print no summary, notes or progress bar on stderr (errors still print).
    #[arg(short, long)]
    quiet: bool,
}

/// The `--color` choices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// What every scanning worker shares.
struct Scanner<'a> {
    engine: &'a Engine,
    show_values: bool,
    binary: bool,
    bar: &'a ProgressBar,
    output: &'a Ordered,
    /// Set when an input was left unread because output broke.
    cut_short: AtomicBool,
    /// Threads scanning the blocks of one input: all cores when there is
    /// a single input (one big file or stdin), else one (the inputs
    /// themselves are spread over the cores).
    block_threads: usize,
}

/// Runs `phimask scan`.
///
/// # Errors
/// A [`Failure`] when the command cannot start (bad config, pattern file
/// or option). Problems with individual paths do not stop the scan: they
/// are printed and make the outcome [`Outcome::Failed`].
pub(crate) fn run(args: Args) -> Result<Outcome, Failure> {
    let cwd = std::env::current_dir().map_err(|e| Failure::new(format!("cannot read the working directory: {e}")))?;
    let config = args.engine.load_config(&cwd)?;
    let engine = args.engine.build(config.as_ref())?;

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
    let detectors = if args.format == Format::Sarif { engine.detectors() } else { Vec::new() };
    let problems = walk_errors.into_iter().map(|e| Problem { path: e.display, message: e.message }).collect();
    let shared_terminal = (!bar.is_hidden() && io::stdout().is_terminal()).then(|| bar.clone());
    let output = Ordered::begin(report::printer(args.format, detectors, cwd), stdout(&args), problems, shared_terminal);
    let scanner = Scanner {
        engine: &engine,
        show_values: args.show_values,
        binary: args.binary,
        bar: &bar,
        output: &output,
        cut_short: AtomicBool::new(false),
        block_threads: if inputs.len() == 1 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { 1 },
    };
    scanner.run_all(&inputs);
    let cut_short = scanner.cut_short.into_inner();
    bar.finish_and_clear();
    let totals = output.end();

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
        for path in &totals.skipped {
            print_note(format_args!("{path}: binary file skipped (use --binary to scan it)"));
        }
        if args.format == Format::Text {
            let _ = writeln!(io::stderr().lock(), "phimask: {}", report::summary_line(summary));
        }
    }
    Ok(outcome)
}

/// Standard output for the chosen format. Text goes through `anstream`,
/// which decides about colour (terminal, `NO_COLOR`, `--color`).
fn stdout(args: &Args) -> Box<dyn Write + Send> {
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
        let source = Source { display: input.display().to_string(), stdin: matches!(input, Input::Stdin) };
        let mut finished = Finished { source, status: Status::Scanned, bytes: 0, hits: Vec::new() };
        if self.output.is_broken() {
            // Output is gone; stop without reading more.
            self.cut_short.store(true, Ordering::Relaxed);
            self.output.finish(index, finished);
            return;
        }
        match input {
            Input::Stdin => self.scan_reader(index, io::stdin().lock(), &mut finished),
            Input::File { path, size, .. } => {
                match File::open(path) {
                    Ok(file) => self.scan_reader(index, file, &mut finished),
                    Err(err) => finished.status = Status::Failed(err.to_string()),
                }
                // Skipped and failed files still count towards the bar's total.
                self.bar.inc(size.saturating_sub(finished.bytes));
            }
        }
        self.output.finish(index, finished);
    }

    fn scan_reader(&self, index: usize, mut reader: impl Read, finished: &mut Finished) {
        let head = match sniff(&mut reader) {
            Ok(head) => head,
            Err(err) => {
                finished.status = Status::Failed(err.to_string());
                return;
            }
        };
        if !self.binary && memchr::memchr(0, &head).is_some() {
            finished.status = Status::Binary;
            return;
        }
        let mut lines = LineCounter::default();
        let mut read = 0u64;
        let result = self.engine.scan_blocks_parallel(Cursor::new(head).chain(reader), self.block_threads, |block| {
            for finding in block.findings {
                if let Some(hit) = self.hit(&block, finding, &mut lines) {
                    finished.hits.push(hit);
                }
            }
            lines.finish_block(&block);
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

    /// Turns a core finding into a printable hit; the value's bytes are
    /// sliced from the block and masked here, and kept raw only on request.
    fn hit(&self, block: &Block<'_>, finding: &phimask::Finding, lines: &mut LineCounter) -> Option<Hit> {
        let start = finding.start().checked_sub(block.offset)?;
        let end = finding.end().checked_sub(block.offset)?;
        let value = block.bytes.get(start..end)?;
        let from = lines.position(block, finding.start());
        Some(Hit {
            start: finding.start(),
            end: finding.end(),
            from,
            to: lines::end_of(from, value),
            entity: finding.entity(),
            detector: finding.detector().to_string(),
            score: finding.score(),
            preview: phimask::preview(finding.entity(), value),
            value: self.show_values.then(|| String::from_utf8_lossy(value).into_owned()),
        })
    }
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

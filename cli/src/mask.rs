//! `phimask mask`: rewrite plain text and logs with every finding replaced
//! as a policy says, every other byte copied unchanged.
//!
//! The trade-off this module makes is safety of the files over speed and
//! convenience; the masking itself is one core call ([`Masker`]).
//!
//! - **Nothing is lost.** Output to a file goes to a temporary file in the
//!   target's own directory (same file system, so the final rename is
//!   atomic), is synced, and is renamed over the target only when the whole
//!   input was masked. Any error before that drops the temporary file, so
//!   the old target and the input are untouched; a killed run leaves at most
//!   a `.NAME.phimask-XXXXXX.tmp` file, never a half-written target. The
//!   input is never the output unless `--in-place` says so: paths are
//!   compared after resolving symbolic links, and on Unix by device and
//!   inode too (hard links). An existing target is followed through
//!   symbolic links (the link stays, its file is replaced) and keeps its
//!   permissions; a new one gets the usual `0666 & !umask`.
//! - **Bounded memory.** Files and piped input written to a file stream
//!   through [`Masker::mask_reader`] block by block.
//! - **A filter for log pipelines.** `phimask mask -` without `-o` reads
//!   standard input line by line (`read_until(b'\n')`), masks each line
//!   with [`Masker::mask_bytes`] and writes it out before reading on: output
//!   is flushed whenever no further complete line is already buffered, that
//!   is before every read that could wait, so a line never sits in a buffer
//!   while the pipeline is idle, yet a burst of lines costs one write, not
//!   one per line. Each line is masked on its own (context does not reach
//!   across lines). A line longer than [`MAX_LINE`] (1 MiB, the core's
//!   largest block) is masked in pieces cut the way the core cuts long
//!   lines — after the last space or tab in the piece's final 64 KiB, hard
//!   at 1 MiB if there is none — so memory stays bounded and the result is
//!   what masking the same bytes as a file gives.
//! - **Structured formats by extension.** `.csv`, `.tsv`, `.json`,
//!   `.ndjson`, `.jsonl` and `.sql` (or `--input-format`) go through the
//!   core's format drivers ([`phimask::mask_format`]): column and key names
//!   are context, `--subject-column` drives date shifting, and a malformed
//!   record (a SQL statement) fails the run (exit 2, OUT untouched) unless
//!   `--on-error skip` masks it as plain text and lists its line in the
//!   summary and report. HL7 has no driver yet: masking it as text would
//!   miss its structure, so it is refused unless `--input-format text` asks
//!   for exactly that. Files with a NUL byte in the first 8 KiB are refused
//!   as text the same way (masking a binary as text corrupts it).
//! - **No PHI beside the data.** The summary and the `--report` JSON hold
//!   counts by entity and operator, byte totals, paths, the policy name and
//!   the key id; errors name paths and options, never input text or keys.

use std::collections::BTreeMap;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use clap::{Args as ClapArgs, ValueEnum};
use phimask::encoding::{self, DecodeReader, EncodeWriter, Sniffed};
use phimask::{Format, FormatOptions, FormatReport, Key, MaskStats, Masker, OnError, Policy, BLOCK_MAX};
use serde::Serialize;
use tempfile::NamedTempFile;

use crate::engine::EngineArgs;
use crate::{cleanup, print_note, progress, report, Failure, Outcome};

/// Extensions of the structured formats a later driver will handle.
const UNSUPPORTED: &[&str] = &["hl7"];

/// The longest line the stdin filter holds; longer lines are masked in
/// pieces. Equal to the core's largest block.
const MAX_LINE: usize = BLOCK_MAX;

/// Where in an over-long line a piece may end: after the last space or tab
/// in this many final bytes (as the core cuts long lines into blocks).
const CUT_WINDOW: usize = 64 * 1024;

/// Arguments of `phimask mask`.
#[derive(Debug, ClapArgs)]
pub(crate) struct Args {
    /// The file to mask. `-` reads standard input; without -o the masked
    /// lines go to standard output one by one, as a log-pipeline filter.
    #[arg(value_name = "IN")]
    input: PathBuf,

    /// Where to write the masked copy (`-`: standard output). It is written
    /// to a temporary file beside OUT and renamed over OUT only when
    /// complete. Required unless --in-place is given or IN is `-`.
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,

    /// Replace IN with its masked copy (atomically, as for -o).
    #[arg(long, conflicts_with = "output")]
    in_place: bool,

    /// A preset (mask, redact, label, hash, tokenize, …; an unknown name
    /// lists them all) or a policy TOML file. A value naming an existing
    /// file, or ending in `.toml`, is taken as a file.
    #[arg(long, value_name = "NAME|FILE", default_value = "mask")]
    policy: String,

    /// The CSV or SQL column or JSON key naming each record's subject (such
    /// as patient_id): date-shift moves one subject's dates by one offset.
    #[arg(long, value_name = "NAME")]
    subject_column: Option<String>,

    #[command(flatten)]
    shared: Shared,

    /// Restore tokens instead of masking (set by `phimask unmask`).
    #[arg(skip)]
    reverse: bool,

    /// `phimask unmask --mask-report`: the key id the mask run recorded.
    #[arg(skip)]
    expect_key_id: Option<String>,

    /// `phimask unmask --mask-report`: the entities the mask run's policy
    /// tokenized, when the report lists them.
    #[arg(skip)]
    expect_tokenized: Option<Vec<String>>,
}

/// Arguments of `phimask unmask`.
#[derive(Debug, ClapArgs)]
pub(crate) struct UnmaskArgs {
    /// The tokenized file. `-` reads standard input; without -o the
    /// restored lines go to standard output one by one.
    #[arg(value_name = "IN")]
    input: PathBuf,

    /// Where to write the restored copy (`-`: standard output), atomically
    /// as for `mask`. Required unless --in-place is given or IN is `-`.
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,

    /// Replace IN with its restored copy (atomically).
    #[arg(long, conflicts_with = "output")]
    in_place: bool,

    /// The policy IN was masked with (a preset name or a TOML file): the
    /// values of the entities it tokenizes are restored, all else copied.
    /// Default: the policy the mask report records (`tokenize` with
    /// --unverified).
    #[arg(long, value_name = "NAME|FILE")]
    policy: Option<String>,

    /// The `--report` JSON of the mask run. Its key id and the entities its
    /// policy tokenized are checked against the key and policy given, so a
    /// wrong key or policy is an error instead of wrong values (FF1 tokens
    /// carry no checksum of their own). Required unless --unverified.
    #[arg(long, value_name = "FILE")]
    mask_report: Option<PathBuf>,

    /// Restore without a mask report: nothing checks the key or the policy,
    /// and a wrong one writes wrong values without an error.
    #[arg(long, conflicts_with = "mask_report")]
    unverified: bool,

    #[command(flatten)]
    shared: Shared,
}

/// The options `mask` and `unmask` share.
#[derive(Debug, ClapArgs)]
struct Shared {
    /// Read the key from this file: raw bytes as `phimask keygen` writes
    /// them, or one line of hex or base64. `mask` needs it for keyed
    /// operators (tokenize, hash, …); `unmask` needs the key the data was
    /// tokenized with.
    #[arg(long, value_name = "PATH", conflicts_with = "key_env")]
    key_file: Option<PathBuf>,

    /// Read the key (hex or base64) from this environment variable.
    #[arg(long, value_name = "VAR")]
    key_env: Option<String>,

    /// Also write the summary as JSON to this file (atomically).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,

    /// Treat IN as this format whatever its extension or content. Without
    /// it the extension decides (.csv, .tsv, .json, .ndjson/.jsonl, .sql;
    /// anything else is text); .hl7 files and files that look binary are
    /// refused unless `text` is given.
    #[arg(long, value_enum, value_name = "FORMAT")]
    input_format: Option<InputFormat>,

    /// What to do with a malformed CSV row, JSON line or SQL statement:
    /// fail (exit 2, OUT untouched) or skip (treat it as plain text, keep
    /// it in place and report its line number).
    #[arg(long, value_enum, value_name = "MODE", default_value = "fail")]
    on_error: OnErrorArg,

    #[command(flatten)]
    engine: EngineArgs,

    /// Print no summary, notes or progress bar on stderr (errors still print).
    #[arg(short, long)]
    quiet: bool,
}

/// Runs `phimask unmask`: the mask pipeline run backwards (see
/// [`Masker::unmasker`]), with the same atomic writes and format drivers.
///
/// # Errors
/// As [`run`], and a key error when no key is given or the key's id is not
/// the one `--mask-report` recorded.
pub(crate) fn run_unmask(args: UnmaskArgs) -> Result<Outcome, Failure> {
    let recorded = match &args.mask_report {
        Some(path) => Some(Recorded::read(path)?),
        None if args.unverified => None,
        None => {
            return Err(Failure::new(
                "unmask needs the mask run's report (--mask-report FILE, written by mask --report FILE): \
                 tokens carry no checksum, so without it a wrong key or policy writes wrong values \
                 without an error; --unverified restores anyway",
            ))
        }
    };
    let policy = match (args.policy, &recorded) {
        (Some(policy), _) => policy,
        (None, Some(recorded)) => recorded.policy.clone().ok_or_else(|| {
            Failure::new("the mask report records no policy; give the one the data was masked with (--policy)")
        })?,
        (None, None) => "tokenize".to_string(),
    };
    run(Args {
        input: args.input,
        output: args.output,
        in_place: args.in_place,
        policy,
        subject_column: None,
        shared: args.shared,
        reverse: true,
        expect_key_id: recorded.as_ref().map(|r| r.key_id.clone()),
        expect_tokenized: recorded.and_then(|r| r.tokenized),
    })
}

/// What a mask `--report` recorded that `unmask` checks.
struct Recorded {
    key_id: String,
    policy: Option<String>,
    /// The entities the policy tokenized (reports from before this field
    /// have none: then only the key is checked).
    tokenized: Option<Vec<String>>,
}

impl Recorded {
    fn read(path: &Path) -> Result<Recorded, Failure> {
        let shown = path.display();
        let text = fs::read_to_string(path).map_err(|e| Failure::new(format!("{shown}: cannot read: {e}")))?;
        let json: serde_json::Value = serde_json::from_str(&text)
            .map_err(|_| Failure::new(format!("{shown}: not a phimask mask report (JSON)")))?;
        let policy = json.get("policy").and_then(serde_json::Value::as_str).map(str::to_string);
        let tokenized = json
            .get("tokenized")
            .and_then(serde_json::Value::as_array)
            .map(|list| list.iter().filter_map(serde_json::Value::as_str).map(str::to_string).collect::<Vec<_>>());
        if tokenized.as_ref().is_some_and(Vec::is_empty) {
            return Err(Failure::new(format!(
                "{shown}: the mask run's policy '{}' tokenizes nothing, so its output cannot be unmasked \
                 (mask, redact, label, hash, generalize, surrogate and date-shift are one-way)",
                policy.as_deref().unwrap_or("?")
            )));
        }
        let Some(key_id) = json.get("key_id").and_then(serde_json::Value::as_str) else {
            return Err(Failure::new(format!("{shown}: the mask report records no key id (was the run keyed?)")));
        };
        Ok(Recorded { key_id: key_id.to_string(), policy, tokenized })
    }
}

/// The labels of the entities `policy` tokenizes (see [`Policy::tokenized`]).
fn tokenized(policy: &Policy) -> Vec<&'static str> {
    policy.tokenized().into_iter().map(phimask::Entity::as_str).collect()
}

/// The `--input-format` choices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum InputFormat {
    /// Plain text or a log, as bytes (need not be UTF-8).
    Text,
    /// Comma-separated values with a header row.
    Csv,
    /// Tab-separated values with a header row.
    Tsv,
    /// One JSON document.
    Json,
    /// Newline-delimited JSON, one value per line.
    Ndjson,
    /// A SQL dump (mysqldump, pg_dump --inserts): INSERT … VALUES tuples
    /// masked value by value, all else copied.
    Sql,
}

impl InputFormat {
    /// The core format, `None` for text.
    fn structured(self) -> Option<Format> {
        match self {
            InputFormat::Text => None,
            InputFormat::Csv => Some(Format::Csv),
            InputFormat::Tsv => Some(Format::Tsv),
            InputFormat::Json => Some(Format::Json),
            InputFormat::Ndjson => Some(Format::Ndjson),
            InputFormat::Sql => Some(Format::Sql),
        }
    }
}

/// The `--on-error` choices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum OnErrorArg {
    /// Stop with an error naming the line; nothing is written.
    Fail,
    /// Mask the record as plain text, keep it, report its line.
    Skip,
}

/// Where input comes from.
enum Source {
    Stdin,
    File(Box<Target>),
}

/// Where masked output goes.
enum Dest {
    Stdout,
    /// A regular file, new or existing, replaced atomically.
    File(Target),
    /// An existing device or FIFO (`/dev/null`, a named pipe): written
    /// directly, as there is nothing to replace.
    Special(Target),
}

/// A path as the user gave it, and where it really is.
#[derive(Clone)]
struct Target {
    /// As given, for messages and the report.
    shown: PathBuf,
    /// Resolved: symbolic links followed when it exists; otherwise its
    /// directory resolved and its name kept.
    path: PathBuf,
    /// Its metadata (links followed) when it exists.
    meta: Option<Metadata>,
}

impl Target {
    fn locate(shown: &Path) -> Target {
        if let Ok(path) = fs::canonicalize(shown) {
            let meta = fs::metadata(&path).ok();
            return Target { shown: shown.to_path_buf(), path, meta };
        }
        let dir = match shown.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let path = match (fs::canonicalize(dir), shown.file_name()) {
            (Ok(dir), Some(name)) => dir.join(name),
            _ => shown.to_path_buf(),
        };
        Target { shown: shown.to_path_buf(), path, meta: None }
    }

    fn display(&self) -> std::path::Display<'_> {
        self.shown.display()
    }

    /// Whether both name the same file: same resolved path, or (on Unix,
    /// both existing) same device and inode, which catches hard links.
    fn same_file(&self, other: &Target) -> bool {
        if self.path == other.path {
            return true;
        }
        #[cfg(unix)]
        if let (Some(a), Some(b)) = (&self.meta, &other.meta) {
            use std::os::unix::fs::MetadataExt;
            return a.dev() == b.dev() && a.ino() == b.ino();
        }
        false
    }
}

/// Runs `phimask mask`.
///
/// # Errors
/// A [`Failure`] for a bad option, path, policy, key, config or pattern
/// file, or an I/O error. No file is replaced then: the input, an existing
/// OUT and an existing report stay as they were (output already sent to
/// standard output or a device stays sent).
pub(crate) fn run(args: Args) -> Result<Outcome, Failure> {
    let source = source(&args)?;
    let format = format_of(&args);
    if format.is_none() && args.subject_column.is_some() {
        return Err(Failure::new(
            "--subject-column needs a structured input (.csv, .tsv, .json, .ndjson, .sql or --input-format csv|tsv|json|ndjson|sql)",
        ));
    }
    let options = FormatOptions::new()
        .on_error(match args.shared.on_error {
            OnErrorArg::Fail => OnError::Fail,
            OnErrorArg::Skip => OnError::Skip,
        })
        .subject_field(args.subject_column.clone());
    let how = How { format, options: &options, force_text: args.shared.input_format.is_some() };
    let dest = dest(&args, &source)?;
    let report_target = args.shared.report.as_deref().map(|path| report_target(path, &source, &dest)).transpose()?;

    let (policy, policy_name) = load_policy(&args.policy)?;
    let key = match (&args.shared.key_file, &args.shared.key_env) {
        (Some(path), _) => Some(Key::from_file(path)?),
        (None, Some(var)) => Some(Key::from_env(var)?),
        (None, None) => None,
    };
    if let (true, Some(key)) = (args.reverse, &key) {
        // Without a report the user said --unverified (run_unmask checks).
        phimask::check_unmask(&policy, key, args.expect_key_id.as_deref(), args.expect_key_id.is_none())?;
    }
    let policy_tokenized = tokenized(&policy);
    if args.reverse {
        if let Some(recorded) = &args.expect_tokenized {
            if recorded.iter().map(String::as_str).ne(policy_tokenized.iter().copied()) {
                return Err(Failure::new(format!(
                    "policy mismatch: the mask report says the data was masked with a policy that tokenized [{}], \
                     policy '{policy_name}' tokenizes [{}]; unmasking with it would write wrong values",
                    recorded.join(", "),
                    policy_tokenized.join(", ")
                )));
            }
        }
    }
    let key_id = match (&key, policy.needs_key() || args.reverse) {
        (Some(key), true) => Some(key.key_id().to_string()),
        (Some(_), false) => {
            if !args.shared.quiet {
                print_note(format_args!("policy '{policy_name}' uses no key; the key given is not used"));
            }
            None
        }
        (None, _) => None,
    };
    let cwd = std::env::current_dir().map_err(|e| Failure::new(format!("cannot read the working directory: {e}")))?;
    let config = args.shared.engine.load_config(&cwd)?;
    if key.is_none() && (args.reverse || policy.needs_key()) {
        let what = if args.reverse {
            "unmask needs the key the values were tokenized with".to_string()
        } else {
            format!(
                "policy '{policy_name}' uses an operator that needs a key (hash, tokenize, surrogate or date-shift)"
            )
        };
        return Err(Failure::new(format!("{what}: give --key-file PATH or --key-env VAR")));
    }
    let engine = args.shared.engine.build(config.as_ref(), crate::config::Findings::All)?;
    let mut masker =
        if args.reverse { Masker::unmasker(engine, policy, key)? } else { Masker::new(engine, policy, key)? };

    let mut done = FormatReport::default();
    let staged = match (&source, &dest) {
        (Source::Stdin, Dest::Stdout) if format.is_none() => {
            filter_lines(&mut masker, io::stdin(), io::stdout().lock())?;
            None
        }
        _ => {
            let (reader, size): (Box<dyn Read>, u64) = match &source {
                Source::Stdin => (Box::new(io::stdin().lock()), 0),
                Source::File(input) => {
                    let file = File::open(&input.path)
                        .map_err(|e| Failure::new(format!("{}: cannot read: {e}", input.display())))?;
                    (Box::new(file), input.meta.as_ref().map_or(0, Metadata::len))
                }
            };
            let bar = progress::bar(progress::wanted(args.shared.quiet), 1, size);
            let reader = bar.wrap_read(reader);
            let staged = mask_to(&mut masker, &source, reader, &dest, &how, &mut done);
            // Cleared before any error is printed.
            bar.finish_and_clear();
            staged?
        }
    };

    let stats = masker.stats();
    let staged_report = match &report_target {
        Some(target) => {
            let report =
                Report::new(&source, &dest, &policy_name, policy_tokenized, key_id.as_deref(), stats, format, &done);
            let mut staged = Staged::create(target)?;
            let json = serde_json::to_string_pretty(&report).expect("a report serializes");
            writeln!(staged.file(), "{json}")
                .map_err(|e| Failure::new(format!("{}: cannot write: {e}", target.display())))?;
            Some(staged)
        }
        None => None,
    };
    if let Some(staged) = staged {
        staged.commit()?;
    }
    if let Some(staged) = staged_report {
        staged.commit()?;
    }
    if !args.shared.quiet {
        let mut line = summary_line(stats, &policy_name, key_id.as_deref(), args.reverse);
        if format.is_some() {
            line.push_str(&format_summary(&done));
        }
        let _ = writeln!(io::stderr().lock(), "phimask: {line}");
        let fallbacks = stats.fallbacks();
        if fallbacks > 0 {
            print_note(format_args!(
                "{fallbacks} value{} masked one-way instead of tokenized; unmask cannot restore {} \
                 (untokenizable: too few letters or digits for a reversible token; token not re-detected: \
                 a scan of the output would not find the token)",
                if fallbacks == 1 { " was" } else { "s were" },
                if fallbacks == 1 { "it" } else { "them" },
            ));
        }
    }
    Ok(Outcome::Clean)
}

/// Masks the stream from `source` into `dest` (anything but the stdin
/// filter). A file target comes back staged, to be committed by the caller.
fn mask_to(
    masker: &mut Masker,
    source: &Source,
    reader: impl Read,
    dest: &Dest,
    how: &How<'_>,
    done: &mut FormatReport,
) -> Result<Option<Staged>, Failure> {
    match dest {
        Dest::Stdout => {
            stream(masker, source, reader, io::stdout().lock(), "<stdout>", how, done)?;
            Ok(None)
        }
        Dest::Special(out) => {
            let file = OpenOptions::new()
                .write(true)
                .open(&out.path)
                .map_err(|e| Failure::new(format!("{}: cannot write: {e}", out.display())))?;
            stream(masker, source, reader, file, &out.display().to_string(), how, done)?;
            Ok(None)
        }
        Dest::File(out) => {
            let mut staged = Staged::create(out)?;
            stream(masker, source, reader, staged.file(), &out.display().to_string(), how, done)?;
            Ok(Some(staged))
        }
    }
}

/// How to read the input: its format (`None`: text) and the driver options.
struct How<'a> {
    format: Option<Format>,
    options: &'a FormatOptions,
    /// `--input-format` was given: no binary sniffing.
    force_text: bool,
}

/// The format of IN: `--input-format`, else its extension, else text.
fn format_of(args: &Args) -> Option<Format> {
    match args.shared.input_format {
        Some(given) => given.structured(),
        None => args.input.extension().and_then(|ext| Format::from_extension(&ext.to_string_lossy())),
    }
}

/// Checks IN: `-`, or an existing file that is not a directory and, unless
/// `--input-format` is given, not of a format without a driver (HL7).
fn source(args: &Args) -> Result<Source, Failure> {
    if args.input.as_os_str() == "-" {
        if args.in_place {
            return Err(Failure::new("--in-place needs an input file, not standard input"));
        }
        return Ok(Source::Stdin);
    }
    let shown = args.input.display();
    let meta = fs::metadata(&args.input).map_err(|e| Failure::new(format!("{shown}: cannot read: {e}")))?;
    if meta.is_dir() {
        return Err(Failure::new(format!("{shown}: is a directory; mask takes one file")));
    }
    if args.in_place && !meta.is_file() {
        return Err(Failure::new(format!("{shown}: --in-place needs a regular file")));
    }
    if args.shared.input_format.is_none() {
        let ext = args.input.extension().map(|e| e.to_string_lossy().to_ascii_lowercase());
        if let Some(ext) = ext.filter(|ext| UNSUPPORTED.contains(&ext.as_str())) {
            return Err(Failure::new(format!(
                "{shown}: .{ext} input: this structured format is not supported yet; \
                 use --input-format text to mask it as plain text"
            )));
        }
    }
    Ok(Source::File(Box::new(Target::locate(&args.input))))
}

/// Decides where output goes and refuses to write over the input.
fn dest(args: &Args, source: &Source) -> Result<Dest, Failure> {
    if args.in_place {
        return match source {
            Source::File(input) => Ok(Dest::File((**input).clone())),
            Source::Stdin => Err(Failure::new("--in-place needs an input file, not standard input")),
        };
    }
    let out = match (&args.output, source) {
        (Some(out), Source::File(input)) if out.as_os_str() == "-" && stdout_is(input) => {
            return Err(Failure::new(format!(
                "{}: standard output is the input file; masking it into itself would never end \
                 (write to another file with -o, or use --in-place)",
                input.display()
            )))
        }
        (Some(out), _) if out.as_os_str() == "-" => return Ok(Dest::Stdout),
        (Some(out), _) => Target::locate(out),
        (None, Source::Stdin) => return Ok(Dest::Stdout),
        (None, Source::File(_)) => {
            return Err(Failure::new("missing -o OUT: name the masked copy, or use --in-place to rewrite the input"))
        }
    };
    if let Source::File(input) = source {
        if input.same_file(&out) {
            return Err(Failure::new(format!(
                "{}: is the input file; refusing to write over it (use --in-place to rewrite the input)",
                out.display()
            )));
        }
    }
    match &out.meta {
        Some(meta) if meta.is_dir() => Err(Failure::new(format!("{}: is a directory", out.display()))),
        Some(meta) if !meta.is_file() => Ok(Dest::Special(out)),
        _ => Ok(Dest::File(out)),
    }
}

/// Whether standard output is the file `input` (`phimask mask f -o - >> f`):
/// same device and inode.
fn stdout_is(input: &Target) -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        use std::os::unix::fs::MetadataExt;
        let (Some(meta), Ok(fd)) = (&input.meta, io::stdout().as_fd().try_clone_to_owned()) else { return false };
        let Ok(out) = File::from(fd).metadata() else { return false };
        out.is_file() && out.dev() == meta.dev() && out.ino() == meta.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = input;
        false
    }
}

/// Checks the `--report` path: a file that is neither the input nor the
/// output.
fn report_target(path: &Path, source: &Source, dest: &Dest) -> Result<Target, Failure> {
    if path.as_os_str() == "-" {
        return Err(Failure::new("--report needs a file name"));
    }
    let target = Target::locate(path);
    let clash = |what: &str| {
        Failure::new(format!("{}: --report names the {what} file; give the report its own file", target.display()))
    };
    if let Source::File(input) = source {
        if input.same_file(&target) {
            return Err(clash("input"));
        }
    }
    if let Dest::File(out) | Dest::Special(out) = dest {
        if out.same_file(&target) {
            return Err(clash("output"));
        }
    }
    match &target.meta {
        Some(meta) if meta.is_dir() => Err(Failure::new(format!("{}: is a directory", target.display()))),
        _ => Ok(target),
    }
}

/// Loads `--policy`: a file when the value names one or ends in `.toml`,
/// else a preset. Returns the policy and the name the report shows.
fn load_policy(value: &str) -> Result<(Policy, String), Failure> {
    let path = Path::new(value);
    if path.is_file() || value.ends_with(".toml") {
        let source = fs::read_to_string(path)
            .map_err(|e| Failure::new(format!("{}: cannot read policy file: {e}", path.display())))?;
        return Ok((Policy::from_toml(&source, path)?, value.to_string()));
    }
    Ok((Policy::preset(value)?, value.to_string()))
}

/// Masks a stream (a file, or piped input written to a file) into
/// `writer` in bounded memory. UTF-16 and UTF-32 input is decoded, masked
/// and written back in its own encoding (with its byte-order mark, if it
/// had one); other input that looks binary is refused unless `force_text`.
fn stream(
    masker: &mut Masker,
    source: &Source,
    reader: impl Read,
    writer: impl Write,
    out_shown: &str,
    how: &How<'_>,
    done: &mut FormatReport,
) -> Result<(), Failure> {
    let in_shown = match source {
        Source::Stdin => "<stdin>".to_string(),
        Source::File(input) => input.display().to_string(),
    };
    let mut reader = Watched::new(reader);
    let mut writer = Watched::new(writer);
    let result = phimask::mask_stream(masker, how.format, &mut reader, &mut writer, how.options, how.force_text);
    *done = result.map_err(|err| match (reader.error.take(), writer.error.take()) {
        (Some(e), _) => Failure::new(format!("{in_shown}: cannot read: {e}")),
        (None, Some(e)) => Failure::new(format!("{out_shown}: cannot write: {e}")),
        (None, None) if err.line().is_some() && how.format.is_some() => Failure::new(format!(
            "{in_shown}: {err} (as {}; --on-error skip masks such records as plain text and goes on)",
            how.format.expect("checked")
        )),
        (None, None) if err.message().starts_with("looks like a binary") => {
            Failure::new(format!("{in_shown}: {err}; use --input-format text to mask it as text anyway"))
        }
        (None, None) => Failure::new(format!("{in_shown}: {err}")),
    })?;
    Ok(())
}

/// The stdin filter: masks `input` line by line into `output` (see the
/// module docs for when it flushes and how long lines are cut). What the
/// first read brings is sniffed: UTF-16 or UTF-32 is decoded and written
/// back in its encoding, other input that looks binary is refused.
fn filter_lines(masker: &mut Masker, input: impl Read, output: impl Write) -> Result<(), Failure> {
    let mut reader = Watched::new(input);
    let mut writer = Watched::new(output);
    let mut buffered = BufReader::with_capacity(64 * 1024, &mut reader);
    let sniffed = match buffered.fill_buf() {
        Ok(head) => encoding::sniff(head),
        Err(_) => Sniffed::Text,
    };
    let result = match sniffed {
        Sniffed::Binary => {
            return Err(Failure::new(
                "<stdin>: looks like binary input (a NUL byte, and not UTF-16 or UTF-32 text); \
                 write it to a file and use --input-format text to mask it as text anyway",
            ))
        }
        Sniffed::Wide { encoding, bom } => EncodeWriter::new(&mut writer, encoding, bom).and_then(|mut encoded| {
            mask_lines(masker, DecodeReader::new(buffered, encoding, false), &mut encoded)?;
            encoded.finish().map(drop)
        }),
        Sniffed::Text => mask_lines(masker, buffered, &mut writer),
    };
    result.map_err(|err| match (reader.error.take(), writer.error.take()) {
        (Some(e), _) => Failure::new(format!("<stdin>: cannot read: {e}")),
        (None, Some(e)) => Failure::new(format!("<stdout>: cannot write: {e}")),
        (None, None) => Failure::new(format!("cannot mask standard input: {err}")),
    })
}

fn mask_lines(masker: &mut Masker, input: impl Read, output: impl Write) -> io::Result<()> {
    let mut reader = BufReader::with_capacity(64 * 1024, input);
    let mut out = BufWriter::with_capacity(64 * 1024, output);
    let mut line = Vec::with_capacity(8 * 1024);
    loop {
        let room = (MAX_LINE - line.len()) as u64;
        let read = (&mut reader).take(room).read_until(b'\n', &mut line)?;
        if read == 0 || line.last() == Some(&b'\n') {
            // A whole line, or the unterminated end of the input.
            if !line.is_empty() {
                out.write_all(&masker.mask_bytes(&line))?;
                line.clear();
            }
            if read == 0 {
                break;
            }
        } else if line.len() >= MAX_LINE {
            let end = piece_end(&line);
            out.write_all(&masker.mask_bytes(&line[..end]))?;
            line.drain(..end);
        }
        if memchr::memchr(b'\n', reader.buffer()).is_none() {
            // The next read may wait for input: let out what is done.
            out.flush()?;
        }
    }
    out.flush()
}

/// Where to cut an over-long line: after the last space or tab in its final
/// [`CUT_WINDOW`] bytes, else at its end.
fn piece_end(line: &[u8]) -> usize {
    let from = line.len().saturating_sub(CUT_WINDOW);
    match memchr::memrchr2(b' ', b'\t', &line[from..]) {
        Some(i) => from + i + 1,
        None => line.len(),
    }
}

/// A reader or writer that remembers its first I/O error, so a failure
/// inside the core's streaming loop is blamed on the right path.
struct Watched<T> {
    inner: T,
    error: Option<String>,
}

impl<T> Watched<T> {
    fn new(inner: T) -> Watched<T> {
        Watched { inner, error: None }
    }

    fn note(&mut self, err: io::Error) -> io::Error {
        if err.kind() != io::ErrorKind::Interrupted && self.error.is_none() {
            self.error = Some(err.to_string());
        }
        err
    }
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(|e| self.note(e))
    }
}

impl<W: Write> Write for Watched<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf).map_err(|e| self.note(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().map_err(|e| self.note(e))
    }
}

/// A file written beside its target and renamed over it by
/// [`Staged::commit`]; dropped uncommitted (any error), it is removed.
struct Staged {
    tmp: NamedTempFile,
    target: PathBuf,
    shown: PathBuf,
    /// The target's permissions, when it exists.
    mode: Option<fs::Permissions>,
    /// Keeps the file registered for removal on a signal while it lives.
    _registered: cleanup::Registered,
}

impl Staged {
    /// Creates the temporary file in the target's directory, readable by
    /// its owner only (it may hold PHI: `unmask` restores it) and removed
    /// on SIGINT or SIGTERM; [`Staged::commit`] gives it the target's
    /// permissions, or a new file's (`0666` less the umask), before the
    /// rename.
    fn create(target: &Target) -> Result<Staged, Failure> {
        let shown = target.display();
        let dir = match target.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let name = target.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let prefix = format!(".{name}.phimask-");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(0o600));
        }
        cleanup::install();
        let tmp = builder
            .tempfile_in(dir)
            .map_err(|e| Failure::new(format!("{shown}: cannot create a temporary file in {}: {e}", dir.display())))?;
        let registered = cleanup::Registered::new(tmp.path());
        Ok(Staged {
            tmp,
            target: target.path.clone(),
            shown: target.shown.clone(),
            mode: target.meta.as_ref().map(Metadata::permissions),
            _registered: registered,
        })
    }

    fn file(&mut self) -> &mut File {
        self.tmp.as_file_mut()
    }

    /// Syncs the temporary file and renames it over the target.
    fn commit(self) -> Result<(), Failure> {
        let shown = self.shown.display();
        if let Some(mode) = self.mode.or_else(new_file_mode) {
            self.tmp
                .as_file()
                .set_permissions(mode)
                .map_err(|e| Failure::new(format!("{shown}: cannot set permissions: {e}")))?;
        }
        self.tmp.as_file().sync_all().map_err(|e| Failure::new(format!("{shown}: cannot write: {e}")))?;
        self.tmp.persist(&self.target).map_err(|e| Failure::new(format!("{shown}: cannot replace: {}", e.error)))?;
        #[cfg(unix)]
        if let Some(dir) = self.target.parent() {
            // Make the new directory entry durable; best effort.
            let _ = File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(())
    }
}

/// A new file's permissions: `0666` less the process's umask (read from
/// `/proc/self/status` on Linux; elsewhere `0644`, the common default).
fn new_file_mode() -> Option<fs::Permissions> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let umask = fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| s.lines().find_map(|l| l.strip_prefix("Umask:").map(|v| v.trim().to_string())))
            .and_then(|v| u32::from_str_radix(&v, 8).ok())
            .unwrap_or(0o022);
        Some(fs::Permissions::from_mode(0o666 & !umask))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The `--report` JSON.
#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    input: String,
    output: String,
    policy: &'a str,
    key_id: Option<&'a str>,
    /// The entities the policy tokenizes (what `unmask` can restore).
    tokenized: Vec<&'static str>,
    /// Structured formats: `csv`, `tsv`, `json`, `ndjson` or `sql` (absent for text).
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<&'static str>,
    /// Structured formats: records masked as data.
    #[serde(skip_serializing_if = "Option::is_none")]
    records: Option<u64>,
    /// Structured formats: malformed records masked as plain text
    /// (`--on-error skip`), and the lines they start on (the first 1000).
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped_lines: Option<&'a [u64]>,
    bytes: u64,
    /// Entity → operator → values masked.
    masked: BTreeMap<&'static str, BTreeMap<&'static str, u64>>,
    total: u64,
}

impl<'a> Report<'a> {
    #[allow(clippy::too_many_arguments)]
    fn new(
        source: &Source,
        dest: &Dest,
        policy: &'a str,
        tokenized: Vec<&'static str>,
        key_id: Option<&'a str>,
        stats: &MaskStats,
        format: Option<Format>,
        done: &'a FormatReport,
    ) -> Report<'a> {
        let mut masked: BTreeMap<&'static str, BTreeMap<&'static str, u64>> = BTreeMap::new();
        for (&(entity, operator), &n) in &stats.by_entity {
            masked.entry(entity.as_str()).or_default().insert(operator, n);
        }
        let shown = |target: &Target| target.shown.to_string_lossy().into_owned();
        Report {
            version: 1,
            input: match source {
                Source::Stdin => "-".to_string(),
                Source::File(input) => shown(input),
            },
            output: match dest {
                Dest::Stdout => "-".to_string(),
                Dest::File(out) | Dest::Special(out) => shown(out),
            },
            policy,
            key_id,
            tokenized,
            format: format.map(Format::as_str),
            records: format.map(|_| done.records),
            skipped: format.map(|_| done.skipped),
            skipped_lines: format.map(|_| done.skipped_lines.as_slice()),
            bytes: stats.bytes,
            masked,
            total: stats.total(),
        }
    }
}

/// `; 120 records; 2 malformed records masked as text (lines 7, 9)`.
fn format_summary(done: &FormatReport) -> String {
    let plural = |n: u64| if n == 1 { "" } else { "s" };
    let mut line = format!("; {} record{}", done.records, plural(done.records));
    if done.skipped > 0 {
        let shown: Vec<String> = done.skipped_lines.iter().take(10).map(u64::to_string).collect();
        let more = if done.skipped as usize > shown.len() { ", …" } else { "" };
        line.push_str(&format!(
            "; {} malformed record{} masked as text (line{} {}{more})",
            done.skipped,
            plural(done.skipped),
            plural(done.skipped),
            shown.join(", ")
        ));
    }
    line
}

/// `masked 4 values (NAME 1 mask, SSN 3 mask) in 1.2 KiB; policy 'mask'`.
fn summary_line(stats: &MaskStats, policy: &str, key_id: Option<&str>, reverse: bool) -> String {
    let total = stats.total();
    let verb = if reverse { "restored" } else { "masked" };
    let mut line = format!("{verb} {total} value{}", if total == 1 { "" } else { "s" });
    if !stats.by_entity.is_empty() {
        let parts: Vec<String> =
            stats.by_entity.iter().map(|((entity, operator), n)| format!("{entity} {n} {operator}")).collect();
        line.push_str(&format!(" ({})", parts.join(", ")));
    }
    line.push_str(&format!(" in {}; policy '{policy}'", report::human_bytes(stats.bytes)));
    if let Some(id) = key_id {
        line.push_str(&format!(", key {id}"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use phimask::Engine;

    fn masker() -> Masker {
        Masker::new(Engine::default(), Policy::preset("mask").unwrap(), None).unwrap()
    }

    fn lines(input: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        mask_lines(&mut masker(), input, &mut out).unwrap();
        out
    }

    #[test]
    fn lines_are_masked_and_other_bytes_kept() {
        assert_eq!(
            lines(b"SSN 123-45-6789\nok\n\nlast SSN 123-45-6789"),
            b"SSN ***-**-6789\nok\n\nlast SSN ***-**-6789"
        );
        assert_eq!(lines(b""), b"");
        assert_eq!(lines(b"\xff\xfe SSN 123-45-6789 \xc3\n"), b"\xff\xfe SSN ***-**-6789 \xc3\n");
    }

    #[test]
    fn an_over_long_line_is_masked_in_pieces_like_a_file() {
        // 2.5 MiB on one line with an SSN every ~40 KiB, then a short line.
        let mut input = Vec::new();
        let mut n = 0;
        while input.len() < 5 * MAX_LINE / 2 {
            input.extend_from_slice(if n % 4500 == 0 { b"SSN 123-45-6789 " } else { b"abcdefgh " });
            n += 1;
        }
        input.extend_from_slice(b"\nnext SSN 123-45-6789\n");
        let out = lines(&input);
        let mut whole = Vec::new();
        masker().mask_reader(&input[..], &mut whole).unwrap();
        assert_eq!(out, whole);
        assert!(!out.windows(11).any(|w| w == b"123-45-6789"));
        assert_eq!(out.windows(11).filter(|w| *w == b"***-**-6789").count(), (n - 1) / 4500 + 2);
        // Without blanks the cut is hard, and nothing is lost.
        let solid = vec![b'x'; 2 * MAX_LINE + 5];
        assert_eq!(lines(&solid), solid);
    }

    #[test]
    fn piece_ends_after_the_last_blank_in_the_window() {
        let mut line = vec![b'a'; MAX_LINE];
        assert_eq!(piece_end(&line), MAX_LINE);
        line[MAX_LINE - 10] = b' ';
        assert_eq!(piece_end(&line), MAX_LINE - 9);
        let mut line = vec![b'a'; MAX_LINE];
        line[10] = b'\t';
        assert_eq!(piece_end(&line), MAX_LINE, "a blank before the window does not count");
    }

    #[test]
    fn summary_names_counts_not_values() {
        let mut m = masker();
        m.mask_str("SSN 123-45-6789 and SSN 123-45-6789");
        let line = summary_line(m.stats(), "mask", None, false);
        assert!(line.starts_with("masked 2 values (SSN 2 mask) in "), "{line}");
        assert!(line.ends_with("; policy 'mask'"), "{line}");
    }
}

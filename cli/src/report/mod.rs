//! What a scan found, and the formats that print it.
//!
//! Scanning threads turn core findings into [`Hit`]s — positions, labels
//! and a masked preview — and drop the bytes; the raw value is kept only
//! when `--show-values` asked for it. A [`Printer`] receives hits already in
//! output order (by path, then offset) one at a time and writes them as they
//! come, so output never has to be held whole: a gigabyte dump with a
//! million findings prints in flat memory. One module per format: `text`,
//! `json` (also JSON Lines) and `sarif`.

mod json;
mod sarif;
mod text;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::PathBuf;

use clap::ValueEnum;
use phimask::{DetectorInfo, Entity};

use crate::lines::Position;

/// Output formats of `phimask scan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// `path:line:col ENTITY (letter) detector score preview`, one per line.
    Text,
    /// One JSON document with findings and a summary.
    Json,
    /// One JSON object per finding per line.
    Jsonl,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

/// One finding, ready to print.
#[derive(Clone, Debug)]
pub(crate) struct Hit {
    /// Byte offset of the value in the file.
    pub(crate) start: usize,
    /// Byte offset one past the value.
    pub(crate) end: usize,
    /// Where the value starts.
    pub(crate) from: Position,
    /// Where the value ends (exclusive column).
    pub(crate) to: Position,
    pub(crate) entity: Entity,
    pub(crate) detector: String,
    pub(crate) score: f32,
    /// The masked value (`***-**-6789`).
    pub(crate) preview: String,
    /// The raw value, only with `--show-values`.
    pub(crate) value: Option<String>,
    /// Why it was reported, only with `--explain`.
    pub(crate) why: Option<String>,
}

/// The input a hit belongs to.
#[derive(Clone, Debug)]
pub(crate) struct Source {
    /// The path as shown (`<stdin>` for standard input).
    pub(crate) display: String,
    /// Whether this is standard input rather than a file.
    pub(crate) stdin: bool,
    /// The commit the content comes from (`scan --history`).
    pub(crate) commit: Option<String>,
}

/// How scanning one input ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// Read to the end.
    Scanned,
    /// Read to the end as raw bytes: binary (a NUL byte in the first
    /// 8 KiB, and not UTF-16 or UTF-32 text). Never skipped: PHI in a
    /// binary's printable runs is found like any other.
    Binary,
    /// Reading failed; the message names no scanned text. Findings made
    /// before the failure are kept.
    Failed(String),
}

/// Something that went wrong with one path: `path` may be empty when the
/// error names none. Messages hold paths and OS errors, never scanned text.
#[derive(Clone, Debug)]
pub(crate) struct Problem {
    pub(crate) path: String,
    pub(crate) message: String,
}

/// Totals over a scan.
#[derive(Debug, Default)]
pub(crate) struct Summary {
    /// Inputs read (failures excluded).
    pub(crate) files: usize,
    pub(crate) bytes: u64,
    pub(crate) findings: usize,
    pub(crate) by_entity: BTreeMap<&'static str, usize>,
    /// Binary inputs (scanned as bytes).
    pub(crate) binary: usize,
    /// Inputs or paths that failed.
    pub(crate) errors: usize,
    /// Findings suppressed by `phimask:allow`, `[allow]` or the baseline.
    pub(crate) allowed: usize,
}

impl Summary {
    /// Counts one printed hit.
    pub(crate) fn add_hit(&mut self, hit: &Hit) {
        self.findings += 1;
        *self.by_entity.entry(hit.entity.as_str()).or_default() += 1;
    }

    /// Counts one finished input.
    pub(crate) fn add_input(&mut self, status: &Status, bytes: u64) {
        self.bytes += bytes;
        match status {
            Status::Scanned => self.files += 1,
            Status::Binary => {
                self.files += 1;
                self.binary += 1;
            }
            Status::Failed(_) => self.errors += 1,
        }
    }
}

/// Writes one output format, a hit at a time.
pub(crate) trait Printer: Send {
    /// Called once, before any hit.
    fn begin(&mut self, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }

    /// One hit. Hits arrive grouped by input, inputs sorted by path, hits
    /// of one input sorted by offset.
    fn hit(&mut self, source: &Source, hit: &Hit, out: &mut dyn Write) -> io::Result<()>;

    /// Called once, after the last hit, with the totals and every problem.
    fn end(&mut self, _summary: &Summary, _problems: &[Problem], _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
}

/// The printer for `format`. SARIF needs the engine's `detectors` (its
/// rules) and the working directory (to make URIs relative).
pub(crate) fn printer(format: Format, detectors: Vec<DetectorInfo>, cwd: PathBuf) -> Box<dyn Printer> {
    match format {
        Format::Text => Box::new(text::Text),
        Format::Json => Box::new(json::Json::default()),
        Format::Jsonl => Box::new(json::JsonLines),
        Format::Sarif => Box::new(sarif::Sarif::new(detectors, cwd)),
    }
}

/// The one-line summary printed on stderr after text output.
pub(crate) fn summary_line(summary: &Summary) -> String {
    text::summary_line(summary)
}

/// The one-line hint printed on stderr after text output with findings.
pub(crate) const ALLOW_HINT: &str = "hint: a false positive? add 'phimask:allow' (or 'phimask:allow SSN') in a comment on its line, list it under [allow] in .phimask.toml, or accept all current findings with 'phimask baseline create'";

/// A byte count as people read it (`512 B`, `1.2 MiB`).
pub(crate) fn human_bytes(bytes: u64) -> String {
    text::human_bytes(bytes)
}

//! JSON and JSON Lines output.
//!
//! `--format json` prints one document,
//! `{"version": 1, "findings": [...], "summary": {...}}`, written as the
//! findings arrive (one compact finding object per line inside the array),
//! so it needs no more memory than JSON Lines. `--format jsonl` prints the
//! same finding objects one per line and no summary, for `jq` or a log
//! shipper. `start`/`end` are byte offsets in the file, `line`/`column`
//! 1-based (column in code points). `preview` is always masked; `value`
//! appears only with `--show-values`.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{Hit, Printer, Problem, Source, Summary};

/// The version of the document's shape; bumped on incompatible changes.
const VERSION: u32 = 1;

#[derive(Serialize)]
struct FindingOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
    path: &'a str,
    line: u64,
    column: u64,
    start: usize,
    end: usize,
    entity: &'static str,
    safe_harbor: &'static str,
    detector: &'a str,
    score: f32,
    preview: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    why: Option<&'a str>,
}

#[derive(Serialize)]
struct SummaryOut<'a> {
    files: usize,
    bytes: u64,
    findings: usize,
    by_entity: &'a BTreeMap<&'static str, usize>,
    binary: usize,
    errors: usize,
    allowed: usize,
}

impl<'a> FindingOut<'a> {
    fn new(source: &'a Source, hit: &'a Hit) -> FindingOut<'a> {
        FindingOut {
            commit: source.commit.as_deref(),
            path: &source.display,
            line: hit.from.line,
            column: hit.from.column,
            start: hit.start,
            end: hit.end,
            entity: hit.entity.as_str(),
            safe_harbor: hit.entity.safe_harbor().as_str(),
            detector: &hit.detector,
            score: hit.score,
            preview: &hit.preview,
            value: hit.value.as_deref(),
            why: hit.why.as_deref(),
        }
    }
}

/// The `--format json` printer.
#[derive(Default)]
pub(super) struct Json {
    /// Findings written so far (decides the separator).
    written: usize,
}

impl Printer for Json {
    fn begin(&mut self, out: &mut dyn Write) -> io::Result<()> {
        write!(out, "{{\n  \"version\": {VERSION},\n  \"findings\": [")
    }

    fn hit(&mut self, source: &Source, hit: &Hit, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(if self.written == 0 { b"\n    " } else { b",\n    " })?;
        serde_json::to_writer(&mut *out, &FindingOut::new(source, hit))?;
        self.written += 1;
        Ok(())
    }

    fn end(&mut self, summary: &Summary, _problems: &[Problem], out: &mut dyn Write) -> io::Result<()> {
        let summary = SummaryOut {
            files: summary.files,
            bytes: summary.bytes,
            findings: summary.findings,
            by_entity: &summary.by_entity,
            binary: summary.binary,
            errors: summary.errors,
            allowed: summary.allowed,
        };
        let summary = serde_json::to_string_pretty(&summary)?.replace('\n', "\n  ");
        let close = if self.written == 0 { "]" } else { "\n  ]" };
        writeln!(out, "{close},\n  \"summary\": {summary}\n}}")
    }
}

/// The `--format jsonl` printer.
pub(super) struct JsonLines;

impl Printer for JsonLines {
    fn hit(&mut self, source: &Source, hit: &Hit, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer(&mut *out, &FindingOut::new(source, hit))?;
        writeln!(out)
    }
}

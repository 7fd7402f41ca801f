//! Human output: one finding per line, grep-style, so editors and terminals
//! can jump to `path:line:col`.
//!
//! ```text
//! notes/visit.txt:3:5 SSN (G) ssn-formatted 0.95 ***-**-6789
//! 3f2a9c1d04be:notes/old.txt:1:9 SSN (G) ssn-formatted 0.95 ***-**-6789
//! ```
//!
//! With `--history` each line starts with the commit (12 hex digits), in
//! git's `commit:path` form, so `git show 3f2a9c1d04be:notes/old.txt` opens it.
//!
//! Styles are always written; the caller's `anstream` stream strips them
//! when stdout is not a terminal, `NO_COLOR` is set, or `--color never`.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::{Hit, Printer, Source, Summary};

const PATH: Style = AnsiColor::Magenta.on_default();
const POSITION: Style = AnsiColor::Green.on_default();
const ENTITY: Style = AnsiColor::Red.on_default().bold();
const DIM: Style = Style::new().dimmed();
const VALUE: Style = AnsiColor::Yellow.on_default();

/// The text printer.
pub(super) struct Text;

impl Printer for Text {
    fn hit(&mut self, source: &Source, hit: &Hit, out: &mut dyn Write) -> io::Result<()> {
        let shown = match &hit.value {
            Some(value) => one_line(value),
            None => hit.preview.clone(),
        };
        if let Some(commit) = &source.commit {
            write!(out, "{PATH}{}:{PATH:#}", &commit[..commit.len().min(12)])?;
        }
        writeln!(
            out,
            "{PATH}{}{PATH:#}:{POSITION}{}:{}{POSITION:#} {ENTITY}{}{ENTITY:#} ({}) {DIM}{}{DIM:#} {:.2} {VALUE}{}{VALUE:#}",
            source.display,
            hit.from.line,
            hit.from.column,
            hit.entity,
            hit.entity.safe_harbor(),
            hit.detector,
            hit.score,
            shown,
        )?;
        match &hit.why {
            Some(why) => writeln!(out, "  {DIM}why: {why}{DIM:#}"),
            None => Ok(()),
        }
    }
}

/// `3 findings (EMAIL 1, PHONE 1, SSN 1) in 2 files, 1.4 KiB scanned`.
pub(super) fn summary_line(summary: &Summary) -> String {
    let mut line = format!("{} finding{}", summary.findings, plural(summary.findings));
    if !summary.by_entity.is_empty() {
        let parts: Vec<String> = summary.by_entity.iter().map(|(entity, n)| format!("{entity} {n}")).collect();
        line.push_str(&format!(" ({})", parts.join(", ")));
    }
    line.push_str(&format!(
        " in {} file{}, {} scanned",
        summary.files,
        plural(summary.files),
        human_bytes(summary.bytes)
    ));
    if summary.binary > 0 {
        line.push_str(&format!(", {} binary scanned as bytes", summary.binary));
    }
    if summary.allowed > 0 {
        line.push_str(&format!(", {} allowed", summary.allowed));
    }
    if summary.errors > 0 {
        line.push_str(&format!(", {} error{}", summary.errors, plural(summary.errors)));
    }
    line
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

pub(super) fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// A raw value (`--show-values`) kept on one line: control characters are
/// escaped so a value spanning lines cannot break the line format.
fn one_line(value: &str) -> String {
    value.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_reads_naturally() {
        let mut summary = Summary { files: 2, bytes: 1500, findings: 3, ..Summary::default() };
        summary.by_entity.insert("SSN", 2);
        summary.by_entity.insert("EMAIL", 1);
        assert_eq!(summary_line(&summary), "3 findings (EMAIL 1, SSN 2) in 2 files, 1.5 KiB scanned");
        assert_eq!(one_line("12 Main St\nBoston"), "12 Main St\\nBoston");
    }
}

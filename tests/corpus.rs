//! Corpus accuracy: per-label recall and precision of the default engine on
//! the shared evaluation data (`shared/eval/*.jsonl`, described in
//! `shared/eval/README.md`), with floors the engine must keep.
//!
//! Scoring (lenient span overlap, per record):
//! - only labels in the record's `scope_labels` are scored: gold spans and
//!   predictions with any other label are ignored;
//! - a gold span with label L is recalled if some prediction with label L
//!   overlaps it (`p.start < g.end && g.start < p.end`);
//! - a prediction overlapping any `other_spans` entry is neutral;
//! - any other in-scope prediction is a true positive if it overlaps a gold
//!   span with the same label, else a false positive;
//! - records with `spans_complete == false` count towards recall on the spans
//!   they give, and are skipped for precision entirely.
//!
//! Run with `cargo test -p phimask --test corpus -- --nocapture` to see the
//! tables (also written to `target/corpus-report.md`). Set
//! `PHIMASK_CORPUS_DEBUG=LABEL[,LABEL...]` (or `ALL`) to list the missed gold
//! spans and false positives of those labels. The records are public test
//! data, not real PHI, so printing them is fine.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Instant;

use phimask::Engine;
use serde_json::Value;

// ---------------------------------------------------------------------------
// Floors. Set these "at what we reach": a floor fails when the measured value
// is below it. `None` means no floor on that metric. A recall floor on a label
// without gold spans in that file is itself reported as a failure (the floor
// could never be measured), so only list labels the file annotates.
// ---------------------------------------------------------------------------

const US: &str = "presidio_recognizers_us.jsonl";
const DATAFOG: &str = "datafog_corpus.jsonl";
const GENERATED: &str = "presidio_research_generated.jsonl";
const NOTES: &str = "physionet_deid_dev.jsonl";

struct Floor {
    file: &'static str,
    label: &'static str,
    min_recall: Option<f64>,
    min_precision: Option<f64>,
    /// Why the floor is what it is (shown when it fails and in the report).
    reason: &'static str,
}

const fn floor(
    file: &'static str,
    label: &'static str,
    min_recall: Option<f64>,
    min_precision: Option<f64>,
    reason: &'static str,
) -> Floor {
    Floor { file, label, min_recall, min_precision, reason }
}

#[rustfmt::skip]
const FLOORS: &[Floor] = &[
    // Regression floors at what the engine reaches today (measured values
    // rounded down). Where that is below the minimum the reason says
    // so; those gaps are open work, not accepted results.
    //    file       label          recall      precision   reason
    floor(US,        "SSN",         Some(0.57), None,
          "BELOW issue minimum 0.95, and CONFLICTS with the issue's own SSN rules: 0.95 of 7 \
           needs 7/7, and `078051121` is a context-free bare 9-digit number, which the issue \
           forbids flagging; `078-051121` / `07805-1121` are mis-grouped forms Presidio itself \
           scores 0.0-0.3."),
    floor(US,        "EMAIL",       Some(0.95), None,       "issue minimum"),
    floor(US,        "IP",          Some(0.95), Some(1.00),
          "issue minimum (82/86). The 4 misses: an IP inside a URL (reported as the URL), \
           `192.168.1.1.1` (five dotted parts, not an address, like `10.1.2.3.4`), \
           `foo2001:db8::10.0.0.1` (glued to a word) and `Unspecified ::` (a bare `::` needs \
           an address label: alone it is also Haskell's and BNF's `::`)."),
    floor(US,        "URL",         Some(0.95), Some(1.00),
          "issue minimum (14/14; the bare `microsoft.com` is found by `url-bare`)"),
    floor(US,        "CREDIT_CARD", Some(0.95), None,       "issue minimum"),
    floor(US,        "PHONE",       Some(0.95), None,       "issue minimum"),
    floor(US,        "DATE",        Some(0.95), None,       "issue minimum"),
    floor(DATAFOG,   "SSN",         Some(0.75), None,
          "BELOW issue minimum 0.95, and CONFLICTS with the issue's own SSN rules: datafog \
           labels `987-65-4321` (9xx area, must not be flagged) and a context-free bare \
           `123456789` (must not be flagged) as SSN, so at most 10/12 = 0.833 is reachable; \
           the third miss is an SSN glued to an e-mail (`acme.com123-45-6789`)."),
    floor(DATAFOG,   "EMAIL",       Some(0.95), None,       "issue minimum"),
    floor(DATAFOG,   "IP",          Some(0.95), None,       "issue minimum"),
    // datafog has no URL gold spans, so no URL floor there.
    floor(DATAFOG,   "CREDIT_CARD", Some(0.95), None,       "issue minimum"),
    floor(DATAFOG,   "PHONE",       Some(0.95), None,       "issue minimum"),
    floor(DATAFOG,   "DATE",        Some(1.00), Some(0.87),
          "issue minimum 0.95 met (14/14). The 2 false positives are disputed gold: the \
           `DOB:1990-01-01` of `SSN:123-45-6789;DOB:1990-01-01` is not annotated, and \
           `13/01/2020` is a valid day-first date that datafog reads month-first."),
    floor(DATAFOG,   "ZIP",         Some(0.77), Some(0.87),
          "at what we reach (7/9): `94105, San Francisco` (ZIP before its city, no label) and the \
           second ZIP of `ZIPs 10001 and 30301` are missed; the false positive is `ZIP 94105 is \
           not a phone`, an unannotated labelled ZIP."),
    floor(GENERATED, "NAME",        Some(0.85), Some(0.95),
          "issue minimum (recall 0.85 and precision 0.85)"),
    floor(GENERATED, "PHONE",       Some(0.95), Some(1.00),
          "BELOW the design goal 0.99 (DESIGN.md; no floor is set here): of the 7 misses, 5 are numbers labelled as faxes (`Fax:`, \
           `... fax`, reported as FAX or not at all when the area code is invalid) and 2 are \
           six-digit numbers (`33 93 31`), below the seven digits a phone needs."),
    floor(GENERATED, "ADDRESS",     Some(0.62), Some(1.00),
          "BELOW the design goal 0.99 (DESIGN.md; no floor is set here). Faker addresses: street-first names without a building \
           number before them (`Ziegelgasse 26`: a pattern starting at every word), street names \
           with no street-type word (`21 Hunsrødsletta 7`, `Isayev Street` without a number), \
           Greek script, lower-cased template sentences, and lone building numbers whose street \
           is missed."),
    floor(GENERATED, "ZIP",         Some(1.00), Some(0.57),
          "recall: issue minimum met (161/161). Precision at what the corpus's two conventions \
           allow: the same multi-line address is annotated as parts (ZIP separate) in some records \
           and as ONE whole ADDRESS span in others, where the ZIP found inside counts as a false \
           positive (all 121 false positives are such ZIPs)."),
    floor(NOTES,     "DATE",        Some(0.92), Some(0.92),
          "BELOW the clinical-notes bar (recall 0.97): month/day and month/two-digit-year dates are found in text that \
           reads as clinical notes, fractions, scores and ventilator settings (`PSV 10/5`, `5/5, 40%`) are not; missed \
           are fraction-shaped dates without a date word (`diaphoresis 3/5`), ranges (`6/30-7/2`), month names alone \
           (`sept`) and bare years (`'09`)."),
    floor(NOTES,     "PHONE",       Some(1.00), Some(1.00),
          "clinical-notes bar met: pagers after their label, numbers written apart (`201/324/1423`, `212- 476- 8356`)."),
    floor(NOTES,     "ADDRESS",     Some(0.60), Some(0.92),
          "BELOW the clinical-notes bar (recall 0.90): facilities before their kind (`Calvert Hospital`) and places \
           after a move to or from them (`transferred to Quartermain 3`, `sent to GH`) are found in clinical text; \
           towns (`lives in catonsville`), multi-word names (`Sacred Heart Memorial`, `St. Agnes`) and codes after \
           other words (`is in GH`) are missed."),
    floor(NOTES,     "NAME",        Some(0.90), Some(0.89),
          "BELOW the clinical-notes bar (recall 0.95): lines in capitals read as caseless, clinical words (Philter's \
           safe list) and misspelt words are no names without a title; missed are lone surnames without a title or \
           person word (`healey`, `Vaseqez`) and given names that are also words (`Will`)."),
];

// ---------------------------------------------------------------------------
// Data loading.
// ---------------------------------------------------------------------------

/// A span in BYTE offsets into the record's text.
struct Span {
    start: usize,
    end: usize,
    label: String,
}

struct Record {
    id: String,
    text: String,
    gold: Vec<Span>,
    /// `other_spans`, byte offsets: predictions overlapping these are neutral.
    other: Vec<(usize, usize)>,
    scope: Vec<String>,
    complete: bool,
}

impl Record {
    fn in_scope(&self, label: &str) -> bool {
        self.scope.iter().any(|s| s == label)
    }
}

fn workspace_root() -> PathBuf {
    let core = Path::new(env!("CARGO_MANIFEST_DIR"));
    core.parent().unwrap_or(core).to_path_buf()
}

fn eval_dir() -> PathBuf {
    let dir = workspace_root().join("../shared/eval");
    assert!(
        dir.is_dir(),
        "evaluation corpus not found at {} (expected `shared/eval` beside the repository checkout; \
         CI always provides it). This test does not skip: fix the checkout layout.",
        dir.display()
    );
    dir
}

/// Every `*.jsonl` file of the corpus, sorted by name, with its records.
fn load_corpus() -> Vec<(String, Vec<Record>)> {
    let dir = eval_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display())))
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".jsonl"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no *.jsonl files in {}", dir.display());
    names
        .into_iter()
        .map(|name| {
            let records = load_file(&dir.join(&name));
            assert!(!records.is_empty(), "{name}: no records");
            (name, records)
        })
        .collect()
}

fn load_file(path: &Path) -> Vec<Record> {
    let data = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    data.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{}:{}: invalid JSON: {e}", path.display(), i + 1));
            parse_record(&value).unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1))
        })
        .collect()
}

fn parse_record(v: &Value) -> Result<Record, String> {
    let str_field = |v: &Value, key: &str| -> Result<String, String> {
        v.get(key).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| format!("missing string `{key}`"))
    };
    let id = str_field(v, "id")?;
    let text = str_field(v, "text")?;
    // Code-point index -> byte offset (one entry past the end for `end == len`).
    let cp_to_byte: Vec<usize> = text.char_indices().map(|(b, _)| b).chain(std::iter::once(text.len())).collect();
    let span_bytes = |s: &Value| -> Result<(usize, usize), String> {
        let cp = |key: &str| s.get(key).and_then(Value::as_u64).ok_or_else(|| format!("{id}: span without `{key}`"));
        let (start, end) = (cp("start")? as usize, cp("end")? as usize);
        if start > end || end >= cp_to_byte.len() {
            return Err(format!("{id}: span {start}..{end} outside text of {} chars", cp_to_byte.len() - 1));
        }
        let (bs, be) = (cp_to_byte[start], cp_to_byte[end]);
        // The corpus gives the covered text: it must match after conversion.
        if let Some(t) = s.get("text").and_then(Value::as_str) {
            if &text[bs..be] != t {
                return Err(format!("{id}: span {start}..{end} covers {:?}, corpus says {t:?}", &text[bs..be]));
            }
        }
        Ok((bs, be))
    };
    let array = |key: &str| v.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
    let mut gold = Vec::new();
    for s in array("spans") {
        let (start, end) = span_bytes(s)?;
        let label = str_field(s, "label").map_err(|e| format!("{id}: {e}"))?;
        gold.push(Span { start, end, label });
    }
    let other = array("other_spans").iter().map(span_bytes).collect::<Result<Vec<_>, _>>()?;
    let scope = array("scope_labels")
        .iter()
        .map(|l| l.as_str().map(str::to_owned).ok_or_else(|| format!("{id}: non-string scope label")))
        .collect::<Result<Vec<_>, _>>()?;
    let complete = v
        .get("spans_complete")
        .and_then(Value::as_bool)
        .ok_or_else(|| format!("{id}: missing bool `spans_complete`"))?;
    Ok(Record { id, text, gold, other, scope, complete })
}

// ---------------------------------------------------------------------------
// Scoring.
// ---------------------------------------------------------------------------

#[derive(Default, Clone, Copy)]
struct LabelStats {
    gold: usize,
    recalled: usize,
    predicted: usize,
    true_pos: usize,
}

impl LabelStats {
    fn recall(&self) -> Option<f64> {
        (self.gold > 0).then(|| self.recalled as f64 / self.gold as f64)
    }
    fn precision(&self) -> Option<f64> {
        (self.predicted > 0).then(|| self.true_pos as f64 / self.predicted as f64)
    }
}

struct FileReport {
    name: String,
    records: usize,
    incomplete: usize,
    neutral: usize,
    millis: u128,
    labels: BTreeMap<String, LabelStats>,
}

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Labels named in `PHIMASK_CORPUS_DEBUG` (comma-separated, `ALL` for all).
struct Debug(Vec<String>);

impl Debug {
    fn from_env() -> Debug {
        let labels = std::env::var("PHIMASK_CORPUS_DEBUG").unwrap_or_default();
        Debug(labels.split(',').map(|l| l.trim().to_ascii_uppercase()).filter(|l| !l.is_empty()).collect())
    }
    fn wants(&self, label: &str) -> bool {
        self.0.iter().any(|l| l == label || l == "ALL")
    }
}

/// Up to 80 bytes of context either side of `start..end`, the span in ⟦⟧.
fn excerpt(text: &str, start: usize, end: usize) -> String {
    let mut from = start.saturating_sub(80);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (end + 80).min(text.len());
    while !text.is_char_boundary(to) {
        to += 1;
    }
    let (pre, post) = (if from > 0 { "…" } else { "" }, if to < text.len() { "…" } else { "" });
    format!("{pre}{}⟦{}⟧{}{post}", &text[from..start], &text[start..end], &text[end..to]).replace('\n', "⏎")
}

/// The label a prediction is scored as. The clinical notes annotate every
/// location (hospital, town, street) as ADDRESS, and are scored with
/// ADDRESS, CITY and ZIP as one class (`shared/eval/README.md`).
fn one_class(file: &str, label: &'static str) -> &'static str {
    match label {
        "CITY" | "ZIP" if file == NOTES => "ADDRESS",
        _ => label,
    }
}

fn score_file(engine: &Engine, name: &str, records: &[Record], debug: &Debug) -> FileReport {
    let started = Instant::now();
    let mut labels: BTreeMap<String, LabelStats> = BTreeMap::new();
    let (mut incomplete, mut neutral) = (0, 0);
    for r in records {
        let preds: Vec<(&'static str, usize, usize)> =
            engine.scan(&r.text).iter().map(|f| (one_class(name, f.entity().as_str()), f.start(), f.end())).collect();
        let describe = |(s, e): (usize, usize)| {
            let over: Vec<String> = preds
                .iter()
                .filter(|&&(_, ps, pe)| overlaps((ps, pe), (s, e)))
                .map(|&(l, ps, pe)| format!("{l} {:?}", &r.text[ps..pe]))
                .collect();
            if over.is_empty() {
                String::new()
            } else {
                format!("\n      overlapping findings: {}", over.join(", "))
            }
        };

        for g in r.gold.iter().filter(|g| r.in_scope(&g.label)) {
            let stats = labels.entry(g.label.clone()).or_default();
            stats.gold += 1;
            if preds.iter().any(|&(l, s, e)| l == g.label && overlaps((s, e), (g.start, g.end))) {
                stats.recalled += 1;
            } else if debug.wants(&g.label) {
                println!(
                    "[{name}] MISSED {} {:?} in {}\n      {}{}",
                    g.label,
                    &r.text[g.start..g.end],
                    r.id,
                    excerpt(&r.text, g.start, g.end),
                    describe((g.start, g.end))
                );
            }
        }

        if !r.complete {
            incomplete += 1;
            continue;
        }
        for &(label, s, e) in preds.iter().filter(|p| r.in_scope(p.0)) {
            if r.other.iter().any(|&o| overlaps(o, (s, e))) {
                neutral += 1;
                continue;
            }
            let stats = labels.entry(label.to_owned()).or_default();
            stats.predicted += 1;
            if r.gold.iter().any(|g| g.label == label && overlaps((g.start, g.end), (s, e))) {
                stats.true_pos += 1;
            } else if debug.wants(label) {
                let gold: Vec<String> =
                    r.gold.iter().map(|g| format!("{} {:?}", g.label, &r.text[g.start..g.end])).collect();
                println!(
                    "[{name}] FALSE POSITIVE {label} {:?} in {}\n      {}\n      gold: [{}]",
                    &r.text[s..e],
                    r.id,
                    excerpt(&r.text, s, e),
                    gold.join(", ")
                );
            }
        }
    }
    FileReport {
        name: name.to_owned(),
        records: records.len(),
        incomplete,
        neutral,
        millis: started.elapsed().as_millis(),
        labels,
    }
}

fn ratio(value: Option<f64>, hits: usize, total: usize) -> String {
    match value {
        Some(v) => format!("{v:.3} ({hits}/{total})"),
        None => "–".to_owned(),
    }
}

fn markdown_table(report: &FileReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### {}\n\n{} records ({} with incomplete spans: recall only), {} neutral predictions \
         (overlapping other_spans), scanned and scored in {} ms\n",
        report.name, report.records, report.incomplete, report.neutral, report.millis
    );
    let _ = writeln!(out, "| label | gold | recall | predicted | precision |");
    let _ = writeln!(out, "| --- | ---: | ---: | ---: | ---: |");
    for (label, s) in &report.labels {
        let _ = writeln!(
            out,
            "| {label} | {} | {} | {} | {} |",
            s.gold,
            ratio(s.recall(), s.recalled, s.gold),
            s.predicted,
            ratio(s.precision(), s.true_pos, s.predicted)
        );
    }
    out
}

/// Checks every floor; returns the report section and the failures.
fn check_floors(reports: &[FileReport]) -> (String, Vec<String>) {
    let mut section = String::from("### Floors\n\n| file | label | metric | floor | measured | status | reason |\n");
    section.push_str("| --- | --- | --- | ---: | ---: | --- | --- |\n");
    let mut failures = Vec::new();
    for f in FLOORS {
        let Some(report) = reports.iter().find(|r| r.name == f.file) else {
            failures.push(format!("{} {}: file not in corpus ({})", f.file, f.label, f.reason));
            continue;
        };
        let stats = report.labels.get(f.label).copied().unwrap_or_default();
        let checks = [("recall", f.min_recall, stats.recall()), ("precision", f.min_precision, stats.precision())];
        for (metric, min, measured) in checks {
            let Some(min) = min else { continue };
            let (ok, shown) = match measured {
                Some(v) => (v + 1e-12 >= min, format!("{v:.3}")),
                // No gold spans: the recall floor can never be measured.
                None if metric == "recall" => (false, "no gold spans".to_owned()),
                // No predictions: precision is undefined; the recall floor catches it.
                None => (true, "no predictions".to_owned()),
            };
            let status = if ok { "ok" } else { "FAIL" };
            let _ = writeln!(
                section,
                "| {} | {} | {metric} | {min:.3} | {shown} | {status} | {} |",
                f.file, f.label, f.reason
            );
            if !ok {
                failures.push(format!(
                    "{} {} {metric}: {shown} < {min:.3} (recalled {}/{} gold, {}/{} predictions correct) [{}]",
                    f.file, f.label, stats.recalled, stats.gold, stats.true_pos, stats.predicted, f.reason
                ));
            }
        }
    }
    (section, failures)
}

fn write_report(markdown: &str) {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(|d| workspace_root().join(d))
        .unwrap_or_else(|| workspace_root().join("target"));
    let path = target.join("corpus-report.md");
    let written = std::fs::create_dir_all(&target).and_then(|()| std::fs::write(&path, markdown));
    match written {
        Ok(()) => println!("report written to {}", path.display()),
        Err(e) => eprintln!("note: could not write {}: {e}", path.display()),
    }
}

// ---------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------

#[test]
fn corpus_recall_and_precision_meet_floors() {
    let corpus = load_corpus();
    let started = Instant::now();
    let engine = Engine::default();
    let build_ms = started.elapsed().as_millis();
    let debug = Debug::from_env();

    let reports: Vec<FileReport> =
        corpus.iter().map(|(name, records)| score_file(&engine, name, records, &debug)).collect();

    let mut markdown = String::from("# phimask corpus accuracy\n\n");
    let _ = writeln!(
        markdown,
        "Lenient overlap, scope_labels only, other_spans neutral. Engine built in {build_ms} ms; \
         total {} ms.\n",
        started.elapsed().as_millis()
    );
    for report in &reports {
        markdown.push_str(&markdown_table(report));
        markdown.push('\n');
    }
    let (floors, failures) = check_floors(&reports);
    markdown.push_str(&floors);
    println!("{markdown}");
    write_report(&markdown);

    assert!(
        failures.is_empty(),
        "{} corpus floor(s) not met (set PHIMASK_CORPUS_DEBUG=LABEL to list misses):\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

#[test]
fn scanning_every_record_never_panics_and_offsets_are_char_boundaries() {
    let corpus = load_corpus();
    let engine = Engine::default();
    let mut problems = Vec::new();
    let mut scanned = 0usize;
    for (name, records) in &corpus {
        for r in records {
            scanned += 1;
            let text = r.text.as_str();
            let findings = match catch_unwind(AssertUnwindSafe(|| engine.scan(text))) {
                Ok(findings) => findings,
                Err(payload) => {
                    let msg = payload
                        .downcast_ref::<&str>()
                        .map(|s| (*s).to_owned())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "non-string panic payload".to_owned());
                    problems.push(format!("{name} {}: scan panicked: {msg}", r.id));
                    continue;
                }
            };
            for f in &findings {
                let (s, e) = (f.start(), f.end());
                if !(s < e && e <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(e)) {
                    problems.push(format!(
                        "{name} {}: {} finding {s}..{e} is empty, out of range or not on char boundaries \
                         (text is {} bytes)",
                        r.id,
                        f.entity().as_str(),
                        text.len()
                    ));
                }
            }
        }
    }
    assert!(scanned > 0, "no records scanned");
    assert!(problems.is_empty(), "{} problem(s) in {scanned} records:\n  {}", problems.len(), problems.join("\n  "));
}

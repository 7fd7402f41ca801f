//! End-to-end tests of the `phimask` binary: exit codes, output formats,
//! masking, file selection, configuration and positions.
//!
//! Each test gets its own temporary directory ([`Dir`]) and runs the built
//! binary in it. The default engine is still being tuned, so assertions lean
//! on findings that are stable by design: `123-45-6789` as SSN,
//! `jdoe@example.org` as EMAIL and `(617) 555-0123` as PHONE.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// A file with stable findings on three lines, plus a name and an MRN.
const SAMPLE: &str = "SSN 123-45-6789\npt John Smith MRN 00123456\nmail jdoe@example.org or call (617) 555-0123\n";

/// Raw values in [`SAMPLE`] that must never reach stdout or stderr unless
/// `--show-values` is given.
const RAW: &[&str] = &["123-45-6789", "123456789", "jdoe@example.org", "555-0123", "John Smith", "00123456"];

/// A temporary working directory for one test.
struct Dir {
    root: tempfile::TempDir,
}

/// What a run of the binary produced.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// Asserts that no raw value appears on either stream.
    fn assert_masked(&self) {
        for raw in RAW {
            assert!(!self.stdout.contains(raw), "raw {raw:?} on stdout:\n{}", self.stdout);
            assert!(!self.stderr.contains(raw), "raw {raw:?} on stderr:\n{}", self.stderr);
        }
    }

    /// [`Run::assert_masked`] for a SARIF log, leaving out the rule
    /// descriptions: they come from the pattern files, whose documentation
    /// examples may use the same fictional 555 numbers as [`SAMPLE`].
    fn assert_sarif_masked(&self) {
        let mut log = self.json();
        log["runs"][0]["tool"]["driver"]["rules"] = Value::Null;
        let stdout = log.to_string();
        Run { code: self.code, stdout, stderr: self.stderr.clone() }.assert_masked();
    }
}

impl Dir {
    fn new() -> Dir {
        Dir { root: tempfile::tempdir().expect("temp dir") }
    }

    fn path(&self) -> &Path {
        self.root.path()
    }

    /// Writes `contents` to `rel`, creating parent directories.
    fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }

    fn command(&self, cwd: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_phimask"));
        cmd.args(args).current_dir(self.path().join(cwd)).env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
        cmd
    }

    /// Runs `phimask ARGS` in the directory with stdin at `/dev/null`.
    fn run(&self, args: &[&str]) -> Run {
        self.run_in("", args)
    }

    /// Runs `phimask ARGS` in subdirectory `cwd`.
    fn run_in(&self, cwd: &str, args: &[&str]) -> Run {
        let out = self.command(cwd, args).stdin(Stdio::null()).output().expect("run phimask");
        finish(out)
    }

    /// Runs `phimask ARGS` with `input` piped to stdin.
    fn run_stdin(&self, args: &[&str], input: &[u8]) -> Run {
        let mut child = self
            .command("", args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run phimask");
        child.stdin.take().unwrap().write_all(input).unwrap();
        finish(child.wait_with_output().unwrap())
    }
}

fn finish(out: std::process::Output) -> Run {
    Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// The JSON findings of a run as `(path, entity, line, column)`.
fn located(run: &Run) -> Vec<(String, String, u64, u64)> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["entity"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn entities(run: &Run) -> Vec<String> {
    located(run).into_iter().map(|(_, entity, _, _)| entity).collect()
}

// ---- exit codes ----

#[test]
fn clean_scan_exits_0() {
    let dir = Dir::new();
    dir.write("notes.txt", "nothing sensitive here\njust words\n");
    let run = dir.run(&["scan", "notes.txt"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("0 findings in 1 file"), "{}", run.stderr);
}

#[test]
fn findings_exit_1() {
    let dir = Dir::new();
    dir.write("a.txt", SAMPLE);
    let run = dir.run(&["scan", "a.txt"]);
    assert_eq!(run.code, 1, "{run:?}");
}

#[test]
fn unreadable_path_exits_2_but_still_reports_findings() {
    let dir = Dir::new();
    dir.write("a.txt", SAMPLE);
    let run = dir.run(&["scan", "missing.txt", "a.txt", "--format", "jsonl"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("phimask: error: missing.txt:"), "{}", run.stderr);
    assert!(run.stdout.contains("\"SSN\""), "findings of readable files are still printed: {}", run.stdout);
    // An error alone must not look like a clean scan either.
    let run = dir.run(&["scan", "missing.txt"]);
    assert_eq!(run.code, 2, "{run:?}");
}

#[test]
fn bad_options_exit_2_with_house_prefix() {
    let dir = Dir::new();
    dir.write("a.txt", SAMPLE);
    for args in [
        &["scan", "--min-score", "2", "a.txt"][..],
        &["scan", "--entities", "SSN,NOPE", "a.txt"],
        &["scan", "--no-such-flag"],
        &["scan", "--disable-detector", "no-such-detector", "a.txt"],
        &["scan", "--format", "xml", "a.txt"],
    ] {
        let run = dir.run(args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stderr.starts_with("phimask: error: "), "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}");
    }
    let run = dir.run(&["scan", "--entities", "SSN,NOPE", "a.txt"]);
    assert!(run.stderr.contains("'NOPE'"), "{}", run.stderr);
}

// ---- output formats ----

#[test]
fn text_output_is_grep_style_and_masked() {
    let dir = Dir::new();
    dir.write("a.txt", SAMPLE);
    let run = dir.run(&["scan", "a.txt"]);
    assert_eq!(run.code, 1);
    let ssn = run.stdout.lines().find(|l| l.contains(" SSN ")).expect("an SSN line");
    assert!(ssn.starts_with("a.txt:1:5 SSN (G) "), "{ssn}");
    assert!(ssn.ends_with(" ***-**-6789"), "{ssn}");
    let email = run.stdout.lines().find(|l| l.contains(" EMAIL ")).expect("an EMAIL line");
    assert!(email.starts_with("a.txt:3:6 EMAIL (F) "), "{email}");
    let phone = run.stdout.lines().find(|l| l.contains(" PHONE ")).expect("a PHONE line");
    assert!(phone.starts_with("a.txt:3:31 PHONE (D) "), "{phone}");
    assert!(phone.ends_with("(***) ***-0123"), "{phone}");
    // Not a terminal: no colour codes.
    assert!(!run.stdout.contains('\x1b'));
    assert!(run.stderr.starts_with("phimask: "), "summary on stderr: {}", run.stderr);
    assert!(run.stderr.contains("SSN 1"), "{}", run.stderr);
    run.assert_masked();
}

#[test]
fn color_is_forced_or_disabled_on_request() {
    let dir = Dir::new();
    dir.write("a.txt", "SSN 123-45-6789\n");
    let run = dir.run(&["scan", "--color", "always", "a.txt"]);
    assert!(run.stdout.contains("\x1b["), "{:?}", run.stdout);
    let out = dir.command("", &["scan", "--color", "never", "a.txt"]).stdin(Stdio::null()).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\x1b'));
}

#[test]
fn json_output_has_findings_and_summary() {
    let dir = Dir::new();
    dir.write("a.txt", SAMPLE);
    let run = dir.run(&["scan", "--format", "json", "a.txt"]);
    assert_eq!(run.code, 1, "{run:?}");
    run.assert_masked();
    let doc = run.json();
    assert_eq!(doc["version"], 1);
    let findings = doc["findings"].as_array().unwrap();
    for f in findings {
        for key in ["path", "line", "column", "start", "end", "entity", "safe_harbor", "detector", "score", "preview"] {
            assert!(!f[key].is_null(), "missing {key} in {f}");
        }
        assert!(f.get("value").is_none(), "no value without --show-values: {f}");
        let score = f["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score));
    }
    let ssn = findings.iter().find(|f| f["entity"] == "SSN").expect("SSN finding");
    assert_eq!(ssn["path"], "a.txt");
    assert_eq!((ssn["line"].as_u64(), ssn["column"].as_u64()), (Some(1), Some(5)));
    assert_eq!((ssn["start"].as_u64(), ssn["end"].as_u64()), (Some(4), Some(15)));
    assert_eq!(ssn["safe_harbor"], "G");
    assert_eq!(ssn["preview"], "***-**-6789");
    let email = findings.iter().find(|f| f["entity"] == "EMAIL").expect("EMAIL finding");
    let start = email["start"].as_u64().unwrap() as usize;
    let end = email["end"].as_u64().unwrap() as usize;
    assert_eq!(&SAMPLE[start..end], "jdoe@example.org", "start/end are byte offsets in the file");

    let summary = &doc["summary"];
    assert_eq!(summary["files"], 1);
    assert_eq!(summary["bytes"], SAMPLE.len());
    assert_eq!(summary["findings"], findings.len());
    assert_eq!(summary["by_entity"]["SSN"], 1);
    assert_eq!(summary["by_entity"]["PHONE"], 1);
    assert_eq!(run.stderr, "", "json prints no summary line on stderr");
}

#[test]
fn jsonl_output_is_one_finding_per_line() {
    let dir = Dir::new();
    dir.write("a.txt", SAMPLE);
    let run = dir.run(&["scan", "--format", "jsonl", "a.txt"]);
    assert_eq!(run.code, 1);
    run.assert_masked();
    let lines: Vec<Value> =
        run.stdout.lines().map(|l| serde_json::from_str(l).expect("a JSON object per line")).collect();
    assert!(lines.len() >= 3, "{}", run.stdout);
    assert!(lines.iter().all(|f| f["path"] == "a.txt" && f["entity"].is_string() && f.get("summary").is_none()));
    let json = dir.run(&["scan", "--format", "json", "a.txt"]).json();
    assert_eq!(json["findings"].as_array().unwrap(), &lines, "jsonl holds the same objects as json");
}

#[test]
fn show_values_prints_raw_values_only_when_asked() {
    let dir = Dir::new();
    dir.write("a.txt", SAMPLE);
    let text = dir.run(&["scan", "--show-values", "a.txt"]);
    let ssn = text.stdout.lines().find(|l| l.contains(" SSN ")).unwrap();
    assert!(ssn.ends_with(" 123-45-6789"), "{ssn}");
    let json = dir.run(&["scan", "--show-values", "--format", "json", "a.txt"]).json();
    let email = json["findings"].as_array().unwrap().iter().find(|f| f["entity"] == "EMAIL").unwrap().clone();
    assert_eq!(email["value"], "jdoe@example.org");
    assert_eq!(email["preview"], "****@*******.***", "the preview stays masked");
    // SARIF goes to dashboards: never values.
    let sarif = dir.run(&["scan", "--show-values", "--format", "sarif", "a.txt"]);
    sarif.assert_sarif_masked();
}

#[test]
fn every_format_keeps_raw_values_out() {
    let dir = Dir::new();
    dir.write("a.txt", SAMPLE);
    for format in ["text", "json", "jsonl"] {
        let run = dir.run(&["scan", "--format", format, "a.txt"]);
        assert_eq!(run.code, 1, "{format}");
        run.assert_masked();
    }
    dir.run(&["scan", "--format", "sarif", "a.txt"]).assert_sarif_masked();
}

// ---- SARIF ----

fn sarif_schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/sarif-2.1.0-rtm.5.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::draft4::options().should_validate_formats(true).build(&schema).expect("the SARIF schema compiles")
}

fn assert_valid_sarif(log: &Value) {
    let validator = sarif_schema();
    let errors: Vec<String> = validator.iter_errors(log).map(|e| format!("{}: {e}", e.instance_path)).collect();
    assert!(errors.is_empty(), "SARIF schema violations:\n{}", errors.join("\n"));
}

#[test]
fn sarif_validates_against_the_schema() {
    let dir = Dir::new();
    dir.write("src/a.txt", SAMPLE);
    dir.write("b c.txt", "patient cell (617) 555-0123\n");
    let run = dir.run(&["scan", "--format", "sarif", "."]);
    assert_eq!(run.code, 1, "{run:?}");
    run.assert_sarif_masked();
    let log = run.json();
    assert_valid_sarif(&log);
    // The validator is live: a level SARIF does not know is rejected.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!sarif_schema().is_valid(&broken));

    assert_eq!(log["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
    assert_eq!(log["version"], "2.1.0");
    let run0 = &log["runs"][0];
    let driver = &run0["tool"]["driver"];
    assert_eq!(driver["name"], "phimask");
    assert!(driver["informationUri"].is_string() && driver["version"].is_string());
    let rules = driver["rules"].as_array().unwrap();
    assert!(!rules.is_empty());
    for rule in rules {
        assert!(rule["id"].is_string() && rule["shortDescription"]["text"].is_string(), "{rule}");
        assert!(rule["help"]["text"].as_str().is_some_and(|t| t.contains("phimask:allow")), "{rule}");
        assert!(rule["help"]["markdown"].is_string(), "{rule}");
        assert!(rule["properties"]["entity"].is_string() && rule["properties"]["safe_harbor"].is_string(), "{rule}");
    }
    assert_eq!(run0["columnKind"], "unicodeCodePoints");
    // Scores carry two decimals, not the noise of a widened f32.
    for result in run0["results"].as_array().unwrap() {
        let score = result["properties"]["score"].to_string();
        assert!(score.len() <= 4, "{score}");
    }

    let results = run0["results"].as_array().unwrap();
    let mut uris = Vec::new();
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"], "ruleIndex points at the rule");
        assert_eq!(result["level"], "error");
        let location = &result["locations"][0]["physicalLocation"];
        uris.push(location["artifactLocation"]["uri"].as_str().unwrap().to_string());
        let region = &location["region"];
        for key in ["startLine", "startColumn", "endLine", "endColumn", "byteOffset", "byteLength"] {
            assert!(region[key].is_u64(), "region.{key} in {result}");
        }
        assert!(result["partialFingerprints"].is_object());
    }
    uris.dedup();
    assert_eq!(uris, ["b%20c.txt", "src/a.txt"], "relative URIs with forward slashes, sorted");

    let ssn = results.iter().find(|r| r["properties"]["entity"] == "SSN").expect("SSN result");
    let message = ssn["message"]["text"].as_str().unwrap();
    assert!(message.contains("SSN") && message.contains("***-**-6789"), "{message}");
    let region = &ssn["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 1);
    assert_eq!(region["startColumn"], 5);
    assert_eq!(region["endLine"], 1);
    assert_eq!(region["endColumn"], 16, "exclusive end column");
    assert_eq!(region["byteOffset"], 4);
    assert_eq!(region["byteLength"], 11);
}

#[test]
fn sarif_fingerprints_are_not_derived_from_values() {
    let dir = Dir::new();
    dir.write("one/a.txt", "SSN 123-45-6789\n");
    dir.write("two/a.txt", "SSN 234-56-7890\n");
    let one = dir.run_in("one", &["scan", "--format", "sarif", "a.txt"]).json();
    let two = dir.run_in("two", &["scan", "--format", "sarif", "a.txt"]).json();
    let prints = |log: &Value| log["runs"][0]["results"][0]["partialFingerprints"].clone();
    assert!(prints(&one).as_object().is_some_and(|o| !o.is_empty()));
    assert_eq!(prints(&one), prints(&two), "different values, same place: same fingerprints");
    let text = prints(&one).to_string();
    assert!(!text.contains("6789") && !text.contains("123"), "{text}");
}

#[test]
fn sarif_records_errors_as_unsuccessful_execution() {
    let dir = Dir::new();
    dir.write("a.txt", "SSN 123-45-6789\n");
    let run = dir.run(&["scan", "--format", "sarif", "a.txt", "missing.txt"]);
    assert_eq!(run.code, 2);
    let log = run.json();
    assert_valid_sarif(&log);
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let note = invocation["toolExecutionNotifications"][0]["message"]["text"].as_str().unwrap();
    assert!(note.starts_with("missing.txt: "), "{note}");
}

// ---- positions ----

#[test]
fn line_and_column_count_code_points_after_multibyte_characters() {
    let dir = Dir::new();
    // Line 3 has "naïve café — " (13 code points, 17 bytes) before the SSN.
    let text = "header\n\nnaïve café — 123-45-6789 end\n";
    dir.write("m.txt", text);
    let run = dir.run(&["scan", "--format", "json", "--entities", "SSN", "m.txt"]);
    let f = &run.json()["findings"][0];
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(3), Some(14)), "{f}");
    assert_eq!(f["start"].as_u64(), Some(text.find("123").unwrap() as u64));
    let sarif = dir.run(&["scan", "--format", "sarif", "--entities", "SSN", "m.txt"]).json();
    let region = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!((region["startColumn"].as_u64(), region["endColumn"].as_u64()), (Some(14), Some(25)));
    let text_run = dir.run(&["scan", "--entities", "SSN", "m.txt"]);
    assert!(text_run.stdout.starts_with("m.txt:3:14 SSN"), "{}", text_run.stdout);
}

#[test]
fn columns_stay_right_on_a_line_longer_than_a_block() {
    // A single 3 MB line is cut into several blocks by the core; the column
    // must still count from the start of the line.
    let dir = Dir::new();
    let mut line = String::new();
    while line.len() < 3 * 1024 * 1024 {
        line.push_str("wörd ");
    }
    let column = line.chars().count() as u64 + 1;
    line.push_str("123-45-6789\n");
    dir.write("long.txt", &line);
    let run = dir.run(&["scan", "--format", "json", "--entities", "SSN", "long.txt"]);
    assert_eq!(located(&run), [("long.txt".to_string(), "SSN".to_string(), 1, column)]);
}

// ---- what gets scanned ----

#[test]
fn directories_honour_gitignore_and_skip_git() {
    let dir = Dir::new();
    dir.write(".gitignore", "ignored/\n*.log\n");
    dir.write("kept.txt", "SSN 123-45-6789\n");
    dir.write(".env", "PATIENT_SSN=123-45-6789\n");
    dir.write("ignored/a.txt", "SSN 123-45-6789\n");
    dir.write("debug.log", "SSN 123-45-6789\n");
    dir.write(".git/config", "SSN 123-45-6789\n");
    let run = dir.run(&["scan", "--format", "json", "."]);
    let paths: Vec<String> = located(&run).into_iter().map(|(p, ..)| p).collect();
    assert_eq!(paths, ["./.env", "./kept.txt"], "{}", run.stdout);
    let all = dir.run(&["scan", "--format", "json", "--no-ignore", "."]);
    let paths: Vec<String> = located(&all).into_iter().map(|(p, ..)| p).collect();
    assert_eq!(paths, ["./.env", "./debug.log", "./ignored/a.txt", "./kept.txt"]);
}

fn utf16le(text: &str, bom: bool) -> Vec<u8> {
    let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

#[test]
fn d6_binary_and_wide_text_files_are_scanned_not_skipped() {
    let dir = Dir::new();
    dir.write("blob.bin", b"\x00\x01\x02SSN 123-45-6789\n");
    dir.write("bom16.txt", utf16le("x\nSSN 123-45-6789\n", true));
    dir.write("plain16.txt", utf16le("SSN 123-45-6789\n", false));
    let utf32: Vec<u8> = "SSN 123-45-6789\n".chars().flat_map(|c| (c as u32).to_be_bytes()).collect();
    dir.write("wide32.txt", [&b"\x00\x00\xFE\xFF"[..], &utf32].concat());
    dir.write("clean.txt", "hello\n");
    let run = dir.run(&["scan", "--format", "json", "."]);
    assert_eq!(run.code, 1, "{run:?}");
    let found: Vec<(String, String, u64, u64)> = located(&run);
    let want = |p: &str, line, column| (p.to_string(), "SSN".to_string(), line, column);
    assert_eq!(
        found,
        [want("./blob.bin", 1, 8), want("./bom16.txt", 2, 5), want("./plain16.txt", 1, 5), want("./wide32.txt", 1, 5)]
    );
    assert_eq!(run.json()["summary"]["binary"], 1);
    run.assert_masked();
    let text = dir.run(&["scan", "."]);
    assert!(text.stderr.contains("1 binary scanned as bytes"), "{}", text.stderr);
}

#[test]
fn d6_mask_writes_wide_text_back_in_its_encoding_and_refuses_binary_stdin() {
    let dir = Dir::new();
    let input = utf16le("note: SSN 123-45-6789 naïve\r\n", true);
    dir.write("in.txt", &input);
    let run = dir.run(&["mask", "in.txt", "-o", "out.txt"]);
    assert_eq!(run.code, 0, "{run:?}");
    let out = std::fs::read(dir.path().join("out.txt")).unwrap();
    assert_eq!(out, utf16le("note: SSN ***-**-6789 naïve\r\n", true));
    // Only the PHI bytes changed.
    assert_eq!(out.len(), input.len());
    let piped = dir.run_stdin(&["mask", "-"], b"SSN 123-45-6789\x00\x01\x02");
    assert_eq!(piped.code, 2, "{piped:?}");
    assert!(piped.stderr.contains("looks like binary input"), "{}", piped.stderr);
    assert_eq!(piped.stdout, "");
    // Invalid UTF-16 cannot be written back unchanged: refused, nothing written.
    dir.write("bad.txt", [utf16le("SSN 123-45-6789", true), vec![0x00, 0xD8]].concat());
    let bad = dir.run(&["mask", "bad.txt", "-o", "bad-out.txt"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("not valid UTF-16LE"), "{}", bad.stderr);
    assert!(!dir.path().join("bad-out.txt").exists());
    bad.assert_masked();
}

#[test]
fn no_path_scans_the_working_directory_without_dot_slash() {
    let dir = Dir::new();
    dir.write("sub/a.txt", "SSN 123-45-6789\n");
    let run = dir.run(&["scan", "--format", "json"]);
    assert_eq!(located(&run), [("sub/a.txt".to_string(), "SSN".to_string(), 1, 5)]);
}

#[test]
fn stdin_is_scanned_with_dash_or_when_piped() {
    let dir = Dir::new();
    let input = b"hello\npt: call (617) 555-0123\n";
    let run = dir.run_stdin(&["scan", "-", "--format", "json"], input);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(located(&run), [("<stdin>".to_string(), "PHONE".to_string(), 2, 10)]);
    let piped = dir.run_stdin(&["scan", "--format", "json"], input);
    assert_eq!(located(&piped), located(&run));
    let clean = dir.run_stdin(&["scan", "-"], b"nothing here\n");
    assert_eq!(clean.code, 0);
    let sarif = dir.run_stdin(&["scan", "-", "--format", "sarif"], input).json();
    assert_valid_sarif(&sarif);
}

#[test]
fn invalid_utf8_is_scanned_as_bytes() {
    let dir = Dir::new();
    dir.write("bad.txt", b"\xff\xfe broken \xc3\x28 bytes\nSSN 123-45-6789 \xe2\x82\n");
    let run = dir.run(&["scan", "--format", "json", "bad.txt"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(located(&run), [("bad.txt".to_string(), "SSN".to_string(), 2, 5)]);
    run.assert_masked();
    let text = dir.run(&["scan", "bad.txt"]);
    text.assert_masked();
}

#[test]
fn output_is_sorted_by_path_then_offset() {
    let dir = Dir::new();
    for name in ["c/z.txt", "b.txt", "a.txt", "c/a.txt"] {
        dir.write(name, "call (617) 555-0123\nSSN 123-45-6789\n");
    }
    let run = dir.run(&["scan", "--format", "json", "."]);
    let found = located(&run);
    let mut sorted = found.clone();
    sorted.sort_by(|a, b| (&a.0, a.2, a.3).cmp(&(&b.0, b.2, b.3)));
    assert_eq!(found, sorted);
    assert_eq!(found.len(), 8);
    assert_eq!(dir.run(&["scan", "--format", "json", "."]).stdout, run.stdout, "deterministic");
}

#[test]
fn a_slow_first_file_does_not_reorder_output() {
    // The first input takes longest; later ones finish first on other
    // threads and must wait for their turn.
    let dir = Dir::new();
    let mut big = "lorem ipsum dolor sit amet\n".repeat(200_000);
    big.push_str("SSN 123-45-6789\n");
    dir.write("a.txt", &big);
    for i in 0..20 {
        dir.write(&format!("b{i:02}.txt"), "SSN 123-45-6789\n");
    }
    let run = dir.run(&["scan", "--format", "jsonl", "."]);
    let paths: Vec<String> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["path"].as_str().unwrap().to_string())
        .collect();
    let mut expected = vec!["./a.txt".to_string()];
    expected.extend((0..20).map(|i| format!("./b{i:02}.txt")));
    assert_eq!(paths, expected);
}

#[test]
fn quiet_leaves_only_errors_on_stderr() {
    let dir = Dir::new();
    dir.write("a.txt", "SSN 123-45-6789\n");
    dir.write("blob.bin", b"\x00binary");
    let run = dir.run(&["scan", "-q", "a.txt", "blob.bin"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "");
    let run = dir.run(&["scan", "-q", "a.txt", "missing.txt"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("phimask: error: missing.txt"), "{}", run.stderr);
}

// ---- engine options ----

#[test]
fn entities_and_exclude_entities_filter_findings() {
    let dir = Dir::new();
    dir.write("a.txt", SAMPLE);
    let only = dir.run(&["scan", "--format", "json", "--entities", "SSN,email", "a.txt"]);
    assert_eq!(entities(&only), ["SSN", "EMAIL"]);
    let without = dir.run(&["scan", "--format", "json", "--exclude-entities", "SSN", "a.txt"]);
    let found = entities(&without);
    assert!(!found.contains(&"SSN".to_string()) && found.contains(&"PHONE".to_string()), "{found:?}");
    let high = dir.run(&["scan", "--format", "json", "--entities", "SSN", "--min-score", "0.0", "a.txt"]);
    assert_eq!(entities(&high), ["SSN"]);
}

const ACME: &str = r#"
[[detector]]
id = "acme-mrn"
entity = "MRN"
regex = 'ACME-\d{6}'
score = 0.9
match = ["chart ACME-123456"]
no_match = ["ACME-12"]
"#;

#[test]
fn patterns_file_adds_detectors() {
    let dir = Dir::new();
    dir.write("acme.toml", ACME);
    dir.write("chart.txt", "see ACME-654321 today\n");
    let run = dir.run(&["scan", "--format", "json", "--patterns", "acme.toml", "chart.txt"]);
    assert_eq!(run.code, 1, "{run:?}");
    let f = &run.json()["findings"][0];
    assert_eq!((f["detector"].as_str(), f["entity"].as_str()), (Some("acme-mrn"), Some("MRN")));
    // Examples are checked with default options, so a strict threshold for
    // this run does not make a valid pattern file fail.
    let strict = dir.run(&["scan", "--patterns", "acme.toml", "--min-score", "0.95", "chart.txt"]);
    assert_eq!(strict.code, 0, "{strict:?}");
}

#[test]
fn broken_patterns_file_exits_2_naming_file_and_detector() {
    let dir = Dir::new();
    dir.write("a.txt", SAMPLE);
    dir.write("broken.toml", "[[detector]]\nid = \"acme-broken\"\nentity = \"MRN\"\nregex = '(unclosed'\n");
    let run = dir.run(&["scan", "--patterns", "broken.toml", "a.txt"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stdout, "", "no scan after a bad pattern file");
    assert!(run.stderr.starts_with("phimask: error: broken.toml"), "{}", run.stderr);
    assert!(run.stderr.contains("acme-broken") && run.stderr.contains("regex"), "{}", run.stderr);

    dir.write("wrong.toml", ACME.replace("ACME-123456", "ACME-12345"));
    let run = dir.run(&["scan", "--patterns", "wrong.toml", "a.txt"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("wrong.toml") && run.stderr.contains("acme-mrn"), "{}", run.stderr);
    assert!(run.stderr.contains("match[0]"), "{}", run.stderr);

    let run = dir.run(&["scan", "--patterns", "absent.toml", "a.txt"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("absent.toml"), "{}", run.stderr);
}

// ---- .phimask.toml ----

#[test]
fn config_is_discovered_upward_and_excludes_paths() {
    let dir = Dir::new();
    dir.write(
        ".phimask.toml",
        "exclude_entities = [\"EMAIL\"]\npatterns = [\"rules/acme.toml\"]\n[paths]\nexclude = [\"repo/fixtures/**\", \"*.snap\"]\n",
    );
    dir.write("rules/acme.toml", ACME);
    dir.write("repo/fixtures/patients.txt", "SSN 123-45-6789\n");
    dir.write("repo/x.snap", "SSN 123-45-6789\n");
    dir.write("repo/src/app.txt", "mail jdoe@example.org or call (617) 555-0123 re ACME-654321\n");
    let run = dir.run_in("repo/src", &["scan", "--format", "json", ".."]);
    let found = located(&run);
    let paths: Vec<&str> = found.iter().map(|(p, ..)| p.as_str()).collect();
    assert!(paths.iter().all(|p| *p == "../src/app.txt"), "excluded paths stay out: {found:?}");
    let kinds = entities(&run);
    assert!(kinds.contains(&"PHONE".to_string()), "{kinds:?}");
    assert!(kinds.contains(&"MRN".to_string()), "config patterns resolve relative to the config: {kinds:?}");
    assert!(!kinds.contains(&"EMAIL".to_string()), "config exclude_entities applies: {kinds:?}");

    // Files named explicitly are excluded too (hooks pass file names).
    let named = dir.run_in("repo", &["scan", "fixtures/patients.txt", "x.snap"]);
    assert_eq!(named.code, 0, "{named:?}");

    // Flags override the config; --no-config ignores it.
    let flag = dir.run_in("repo/src", &["scan", "--format", "json", "--exclude-entities", "PHONE", "app.txt"]);
    let kinds = entities(&flag);
    assert!(kinds.contains(&"EMAIL".to_string()) && !kinds.contains(&"PHONE".to_string()), "{kinds:?}");
    let none = dir.run_in("repo", &["scan", "--no-config", "--format", "json", "fixtures/patients.txt"]);
    assert_eq!(entities(&none), ["SSN"]);
}

#[test]
fn explicit_config_file_is_used() {
    let dir = Dir::new();
    dir.write("settings/phimask.toml", "entities = [\"PHONE\"]\n");
    dir.write("a.txt", SAMPLE);
    let run = dir.run(&["scan", "--format", "json", "--config", "settings/phimask.toml", "a.txt"]);
    assert_eq!(entities(&run), ["PHONE"]);
}

#[test]
fn invalid_config_exits_2_naming_the_file() {
    let dir = Dir::new();
    dir.write("a.txt", SAMPLE);
    for (config, what) in [
        ("min_scor = 0.5\n", "min_scor"),
        ("entities = [\"SSN\", \"SNN\"]\n", "SNN"),
        ("min_score = 7.0\n", "min_score"),
        ("[paths]\nexclude = [\"a/[b\"]\n", "paths.exclude"),
        ("disable_detectors = [\"no-such-detector\"]\n", "no-such-detector"),
        ("this is not toml\n", ".phimask.toml"),
    ] {
        dir.write(".phimask.toml", config);
        let run = dir.run(&["scan", "a.txt"]);
        assert_eq!(run.code, 2, "{config}: {run:?}");
        assert!(run.stderr.starts_with("phimask: error: "), "{config}: {}", run.stderr);
        assert!(run.stderr.contains(".phimask.toml"), "{config}: {}", run.stderr);
        assert!(run.stderr.contains(what), "{config}: {}", run.stderr);
        assert_eq!(run.stdout, "");
    }
}

// ---- detectors ----

#[test]
fn detectors_lists_ids_entities_and_letters() {
    let dir = Dir::new();
    let run = dir.run(&["detectors", "--format", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let list = run.json();
    let list = list.as_array().unwrap();
    assert!(list.iter().any(|d| d["entity"] == "SSN" && d["safe_harbor"] == "G"));
    assert!(list.iter().all(|d| d["id"].is_string() && d["description"].is_string()));
    let only = dir.run(&["detectors", "--entities", "EMAIL"]);
    let rows: Vec<&str> = only.stdout.lines().skip(1).collect();
    assert!(!rows.is_empty() && rows.iter().all(|r| r.contains(" EMAIL ")), "{}", only.stdout);
}

#[test]
fn d10_a_config_type_error_does_not_quote_the_value() {
    let dir = Dir::new();
    dir.write(".phimask.toml", "[allow]\nvalues = \"123-45-6789\"\n");
    dir.write("a.txt", "hello\n");
    let run = dir.run(&["scan", "a.txt"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains(".phimask.toml:2"), "{}", run.stderr);
    run.assert_masked();
}

#[test]
fn d11_phi_in_a_file_name_is_a_finding_and_can_be_masked_in_output() {
    let dir = Dir::new();
    dir.write("John_Smith_SSN_123-45-6789.txt", "nothing inside\n");
    dir.write("docs/2024-01-15_release-notes.md", "nothing inside\n");
    dir.write("Jane_Doe.md", "nothing inside\n");
    let run = dir.run(&["scan", "--format", "json", "."]);
    assert_eq!(run.code, 1, "{run:?}");
    let found = located(&run);
    assert!(
        found.iter().all(|(p, ..)| p == "./John_Smith_SSN_123-45-6789.txt"),
        "weak identifiers alone in a path are quiet: {found:?}"
    );
    let entities: Vec<String> = found.iter().map(|f| f.1.clone()).collect();
    assert_eq!(entities, ["NAME", "SSN"]);
    // --mask-paths: no output channel shows the PHI of the path.
    for format in ["text", "json", "sarif"] {
        let masked = dir.run(&["scan", "--mask-paths", "--format", format, "."]);
        assert_eq!(masked.code, 1);
        assert!(!masked.stdout.contains("123-45-6789") && !masked.stdout.contains("John_Smith"), "{}", masked.stdout);
        assert!(!masked.stderr.contains("123-45-6789"), "{}", masked.stderr);
    }
}

#[test]
fn explain_says_why_and_findings_all_reports_everything() {
    let dir = Dir::new();
    // An author line and a changelog date: weak identifiers, no person.
    dir.write("AUTHORS", "Ann Lee <ann.lee@gmail.com>\n\n## 1.2.0 (2023-05-22)\n");
    // A patient row under its header.
    dir.write("patients.csv", "patient_id,first_name,dob\n84412093,Maria,1958-07-04\n");
    let run = dir.run(&["scan", "--explain", "."]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(!run.stdout.contains("AUTHORS"), "{}", run.stdout);
    assert!(run.stdout.contains("patients.csv:2:10 NAME (A)"), "{}", run.stdout);
    assert!(run.stdout.contains("  why: name scored"), "{}", run.stdout);
    assert!(run.stdout.contains("why: patient-id scored 0.85; an identifier by itself"), "{}", run.stdout);
    assert!(run.stdout.contains("an identifier in the same record"), "{}", run.stdout);
    assert!(!run.stdout.contains("Maria") && !run.stdout.contains("1958"), "{}", run.stdout);
    let json = dir.run(&["scan", "--explain", "--format", "json", "."]).json();
    let findings = json["findings"].as_array().unwrap();
    assert!(findings.iter().all(|f| f["why"].is_string()), "{json}");
    // Every finding, by flag or by config.
    let all = dir.run(&["scan", "--findings", "all", "--format", "json", "."]);
    assert!(located(&all).iter().any(|(p, e, ..)| p == "./AUTHORS" && e == "NAME"), "{}", all.stdout);
    dir.write(".phimask.toml", "findings = \"all\"\n");
    let configured = dir.run(&["scan", "--format", "json", "."]);
    assert_eq!(located(&configured), located(&all));
    dir.write(".phimask.toml", "findings = \"some\"\n");
    let bad = dir.run(&["scan", "."]);
    assert_eq!(bad.code, 2, "an unknown value is an error: {bad:?}");
}

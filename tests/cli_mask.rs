//! End-to-end tests of `phimask keygen` and `phimask mask` on plain text
//! and logs: what comes out, that nothing else changes, that failures and
//! kills never damage the input or an existing output, that the stdin
//! filter is line-buffered, and that no PHI or key reaches stderr or the
//! report.
//!
//! Each test gets its own temporary directory ([`Dir`]) and runs the built
//! binary in it (as `tests/cli.rs` does, it assumes no `.phimask.toml` above
//! the system temp dir; the test that needs one writes it). Assertions lean on
//! findings that are stable by design: `123-45-6789` as SSN,
//! `jdoe@example.org` as EMAIL, `(617) 555-0123` as PHONE.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

/// A log with one SSN among lines that hold no PHI (tabs, trailing
/// spaces, an empty line and a last line without a newline included).
const LOG: &str = "[info] worker 7 started, queue depth 12\n\
                   [debug] cache hit ratio 0.93 for key user:abc\n\
                   [warn] retrying upload, attempt 3 of 5\n\
                   [info] intake form accepted: SSN 123-45-6789 (verified)\n\
                   \tindented continuation line with trailing spaces   \n\
                   \n\
                   [info] done; 42 records written";

/// Several kinds of PHI, one per line or two.
const SAMPLE: &str = "SSN 123-45-6789\npt John Smith MRN 00123456\nmail jdoe@example.org or call (617) 555-0123\n";

/// Raw values in [`SAMPLE`] that must never reach stderr or a report.
const RAW: &[&str] = &["123-45-6789", "123456789", "jdoe@example.org", "555-0123", "John Smith", "00123456"];

/// A temporary working directory for one test.
struct Dir {
    root: tempfile::TempDir,
}

/// What a run of the binary produced.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

impl Run {
    fn ok(self) -> Run {
        assert_eq!(self.code, 0, "expected success; stderr:\n{}", self.stderr);
        self
    }

    fn failed(self) -> Run {
        assert_eq!(self.code, 2, "expected exit 2; stderr:\n{}", self.stderr);
        assert!(self.stderr.starts_with("phimask: error: "), "house prefix:\n{}", self.stderr);
        self
    }

    fn stdout(&self) -> String {
        String::from_utf8(self.stdout.clone()).expect("stdout is UTF-8")
    }
}

impl Dir {
    fn new() -> Dir {
        Dir { root: tempfile::tempdir().expect("temp dir") }
    }

    fn path(&self) -> &Path {
        self.root.path()
    }

    fn join(&self, rel: &str) -> PathBuf {
        self.path().join(rel)
    }

    fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(rel);
        std::fs::write(&path, contents).unwrap();
        path
    }

    fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    fn read_string(&self, rel: &str) -> String {
        String::from_utf8(self.read(rel)).unwrap()
    }

    fn exists(&self, rel: &str) -> bool {
        self.join(rel).exists()
    }

    /// The names in the directory, sorted (temporary files included).
    fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_phimask"));
        cmd.args(args).current_dir(self.path()).env_remove("PHIMASK_TEST_KEY");
        cmd
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_with(self.command(args).stdin(Stdio::null()))
    }

    fn run_env(&self, args: &[&str], var: &str, value: &str) -> Run {
        self.run_with(self.command(args).env(var, value).stdin(Stdio::null()))
    }

    fn run_stdin(&self, args: &[&str], input: &[u8]) -> Run {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run phimask");
        let mut stdin = child.stdin.take().unwrap();
        let input = input.to_vec();
        let writer = std::thread::spawn(move || stdin.write_all(&input));
        let out = child.wait_with_output().unwrap();
        // A run that fails before reading (a bad option) closes the pipe
        // early: a broken pipe here is the test racing that exit, not an error.
        if let Err(e) = writer.join().unwrap() {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "writing stdin: {e}");
        }
        finish(out)
    }

    fn run_with(&self, cmd: &mut Command) -> Run {
        finish(cmd.output().expect("run phimask"))
    }

    /// `phimask keygen -o NAME`, returning the key id it printed.
    fn keygen(&self, name: &str) -> String {
        let run = self.run(&["keygen", "-o", name]).ok();
        key_id(&run.stderr)
    }
}

fn finish(out: std::process::Output) -> Run {
    Run {
        code: out.status.code().expect("exit code"),
        stdout: out.stdout,
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// The 8-hex-digit key id in keygen's message.
fn key_id(stderr: &str) -> String {
    let at = stderr.find("key id ").unwrap_or_else(|| panic!("no key id in:\n{stderr}")) + "key id ".len();
    let id = &stderr[at..at + 8];
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{stderr}");
    id.to_string()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn assert_no_raw(what: &str, text: &str) {
    for raw in RAW {
        assert!(!text.contains(raw), "raw {raw:?} in {what}:\n{text}");
    }
}

/// Whether `text` is `ddd-dd-dddd`.
fn is_ssn_shaped(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 11 && b.iter().enumerate().all(|(i, c)| if i == 3 || i == 6 { *c == b'-' } else { c.is_ascii_digit() })
}

// ---------------------------------------------------------------- keygen

#[test]
fn keygen_writes_a_0600_key_and_refuses_to_overwrite() {
    let dir = Dir::new();
    let id = dir.keygen("key.bin");
    let key = dir.read("key.bin");
    assert!(key.len() >= 32, "{} bytes", key.len());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("key.bin")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let run = dir.run(&["keygen", "-o", "key.bin"]).failed();
    assert!(run.stderr.contains("key.bin") && run.stderr.contains("refusing to overwrite"), "{}", run.stderr);
    assert_eq!(dir.read("key.bin"), key, "the first key stays");
    assert_eq!(dir.entries(), ["key.bin"], "no temporary file left behind");

    let other = dir.keygen("other.bin");
    assert_ne!(other, id);
    assert_ne!(dir.read("other.bin"), key);
}

#[test]
fn keygen_prints_no_key_bytes() {
    let dir = Dir::new();
    let run = dir.run(&["keygen", "-o", "key.bin"]).ok();
    assert!(run.stdout.is_empty(), "nothing on stdout");
    let key = dir.read("key.bin");
    let hex = hex(&key);
    for shown in [run.stderr.to_lowercase(), String::from_utf8_lossy(&run.stdout).to_lowercase()] {
        // No run of 8 key bytes (16 hex digits) anywhere.
        for start in 0..key.len() - 8 {
            assert!(!shown.contains(&hex[2 * start..2 * start + 16]), "key bytes printed:\n{shown}");
        }
    }
    assert!(!run.stderr.as_bytes().windows(8).any(|w| key.windows(8).any(|k| k == w)));
}

#[test]
fn keygen_refuses_stdout_and_needs_a_path() {
    let dir = Dir::new();
    let run = dir.run(&["keygen", "-o", "-"]).failed();
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("never to standard output"), "{}", run.stderr);
    dir.run(&["keygen"]).failed();
    dir.run(&["keygen", "-o", "missing-dir/key.bin"]).failed();
    assert!(dir.entries().is_empty());
}

// ---------------------------------------------------------------- policies

#[test]
fn default_policy_masks_the_ssn_and_keeps_every_other_byte() {
    let dir = Dir::new();
    dir.write("app.log", LOG);
    let run = dir.run(&["mask", "app.log", "-o", "masked.log"]).ok();
    assert!(run.stdout.is_empty());
    assert_eq!(dir.read_string("masked.log"), LOG.replace("SSN 123-45-6789", "SSN ***-**-6789"));
    assert_eq!(dir.read_string("app.log"), LOG, "input untouched");
    assert!(run.stderr.contains("masked 1 value (SSN 1 mask)"), "{}", run.stderr);
    assert_eq!(dir.entries(), ["app.log", "masked.log"]);
}

#[test]
fn redact_and_label_policies() {
    let dir = Dir::new();
    dir.write("in.txt", SAMPLE);
    dir.run(&["mask", "in.txt", "-o", "redacted.txt", "--policy", "redact"]).ok();
    let redacted = dir.read_string("redacted.txt");
    assert!(redacted.starts_with("SSN \n"), "{redacted}");
    assert_no_raw("redacted output", &redacted);

    dir.run(&["mask", "in.txt", "-o", "labelled.txt", "--policy", "label"]).ok();
    let labelled = dir.read_string("labelled.txt");
    assert!(labelled.starts_with("SSN [SSN"), "{labelled}");
    assert!(labelled.contains("mail [EMAIL"), "{labelled}");
    assert_no_raw("labelled output", &labelled);
}

#[test]
fn tokenize_with_key_file_or_env_is_deterministic_and_keyed() {
    let dir = Dir::new();
    dir.write("in.log", LOG);
    dir.keygen("a.key");
    dir.keygen("b.key");
    let args =
        |out: &'static str, key: &'static str| ["mask", "in.log", "-o", out, "--policy", "tokenize", "--key-file", key];
    dir.run(&args("t1.log", "a.key")).ok();
    dir.run(&args("t2.log", "a.key")).ok();
    dir.run(&args("t3.log", "b.key")).ok();
    let t1 = dir.read_string("t1.log");
    assert_eq!(t1, dir.read_string("t2.log"), "deterministic per key");
    assert_ne!(t1, dir.read_string("t3.log"), "differs across keys");

    // Format kept, value changed, everything else byte for byte.
    let at = LOG.find("123-45-6789").unwrap();
    let token = &t1[at..at + 11];
    assert!(is_ssn_shaped(token) && token != "123-45-6789", "{token}");
    assert_eq!(t1.replace(token, "123-45-6789"), LOG);

    // The same key through an environment variable, as hex.
    let hex = hex(&dir.read("a.key"));
    let run = dir.run_env(
        &["mask", "in.log", "-o", "t4.log", "--policy", "tokenize", "--key-env", "PHIMASK_TEST_KEY"],
        "PHIMASK_TEST_KEY",
        &hex,
    );
    let run = run.ok();
    assert_eq!(dir.read_string("t4.log"), t1);
    assert!(!run.stderr.contains(&hex[..16]), "{}", run.stderr);
}

#[test]
fn tokenize_without_a_key_exits_2_and_writes_nothing() {
    let dir = Dir::new();
    dir.write("in.log", LOG);
    let run = dir.run(&["mask", "in.log", "-o", "out.log", "--policy", "tokenize"]).failed();
    assert!(run.stderr.contains("needs a key") && run.stderr.contains("--key-file"), "{}", run.stderr);
    assert_eq!(dir.entries(), ["in.log"]);

    let run = dir.run(&["mask", "in.log", "-o", "out.log", "--policy", "tokenize", "--key-env", "PHIMASK_TEST_KEY"]);
    let run = run.failed();
    assert!(run.stderr.contains("PHIMASK_TEST_KEY is not set"), "{}", run.stderr);
    assert_eq!(dir.entries(), ["in.log"]);
}

#[test]
fn a_policy_file_overrides_entities() {
    let dir = Dir::new();
    dir.write("in.txt", SAMPLE);
    dir.write("p.toml", "[default]\noperator = 'redact'\n[entity.SSN]\noperator = 'mask'\nmask_char = '#'\n");
    dir.run(&["mask", "in.txt", "-o", "out.txt", "--policy", "p.toml"]).ok();
    let out = dir.read_string("out.txt");
    assert!(out.starts_with("SSN ###-##-6789\npt  MRN \nmail  or call \n"), "{out}");
    // An existing file without .toml is a policy file too.
    dir.write("policy", "[default]\noperator = 'label'\n");
    dir.run(&["mask", "in.txt", "-o", "out2.txt", "--policy", "policy"]).ok();
    assert!(dir.read_string("out2.txt").starts_with("SSN [SSN]\n"));

    let run = dir.run(&["mask", "in.txt", "-o", "out3.txt", "--policy", "shred"]).failed();
    assert!(run.stderr.contains("unknown policy 'shred'"), "{}", run.stderr);
    let run = dir.run(&["mask", "in.txt", "-o", "out3.txt", "--policy", "missing.toml"]).failed();
    assert!(run.stderr.contains("missing.toml: cannot read policy file"), "{}", run.stderr);
    assert!(!dir.exists("out3.txt"));
}

// ---------------------------------------------------------------- paths

#[test]
fn output_that_is_the_input_is_refused() {
    let dir = Dir::new();
    dir.write("in.log", LOG);
    std::fs::create_dir(dir.join("sub")).unwrap();
    for out in ["in.log", "./in.log", "sub/../in.log", dir.join("in.log").to_str().unwrap()] {
        let run = dir.run(&["mask", "in.log", "-o", out]).failed();
        assert!(run.stderr.contains("is the input file"), "{out}: {}", run.stderr);
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("in.log", dir.join("link.log")).unwrap();
        std::fs::hard_link(dir.join("in.log"), dir.join("hard.log")).unwrap();
        for out in ["link.log", "hard.log"] {
            let run = dir.run(&["mask", "in.log", "-o", out]).failed();
            assert!(run.stderr.contains("is the input file"), "{out}: {}", run.stderr);
        }
        dir.run(&["mask", "link.log", "-o", "hard.log"]).failed();
    }
    assert_eq!(dir.read_string("in.log"), LOG);
    // --report may not name the input or the output either.
    dir.run(&["mask", "in.log", "-o", "out.log", "--report", "in.log"]).failed();
    dir.run(&["mask", "in.log", "-o", "out.log", "--report", "./out.log"]).failed();
    assert_eq!(dir.read_string("in.log"), LOG);
    assert!(!dir.exists("out.log"));
}

#[test]
fn output_is_required_for_a_file_input() {
    let dir = Dir::new();
    dir.write("in.log", LOG);
    let run = dir.run(&["mask", "in.log"]).failed();
    assert!(run.stderr.contains("-o OUT") && run.stderr.contains("--in-place"), "{}", run.stderr);
    dir.run(&["mask", "in.log", "-o", "x", "--in-place"]).failed();
    dir.run_stdin(&["mask", "-", "--in-place"], b"x\n").failed();
    assert_eq!(dir.entries(), ["in.log"]);
}

#[test]
fn in_place_rewrites_the_input_and_keeps_its_mode() {
    let dir = Dir::new();
    let path = dir.write("app.log", LOG);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    dir.run(&["mask", "app.log", "--in-place"]).ok();
    assert_eq!(dir.read_string("app.log"), LOG.replace("123-45-6789", "***-**-6789"));
    assert_eq!(dir.entries(), ["app.log"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
    }
}

#[test]
fn an_existing_output_is_replaced_through_its_symlink() {
    let dir = Dir::new();
    dir.write("in.log", LOG);
    dir.write("out.log", "old\n");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("out.log", dir.join("current.log")).unwrap();
        dir.run(&["mask", "in.log", "-o", "current.log"]).ok();
        assert!(std::fs::symlink_metadata(dir.join("current.log")).unwrap().file_type().is_symlink());
        assert_eq!(dir.read_string("out.log"), LOG.replace("123-45-6789", "***-**-6789"));
        assert_eq!(dir.entries(), ["current.log", "in.log", "out.log"]);
    }
}

/// Every way a run can fail leaves a pre-existing OUT byte for byte and no
/// temporary file: errors found before the temporary file exists (missing
/// input, bad policy, missing key, structured input) and after (a binary
/// input, a read error).
#[test]
fn a_failing_run_leaves_an_existing_output_untouched() {
    let dir = Dir::new();
    dir.write("in.log", LOG);
    dir.write("binary.log", b"SSN 123-45-6789\0\x01\x02");
    dir.write("data.csv", "ssn\n123-45-6789,malformed\n");
    dir.write("dump.sql", "INSERT INTO t (ssn) VALUES ('123-45-6789', 'malformed');\n");
    dir.write("bad.toml", "[default]\noperator = 'shred'\n");
    dir.write("out.log", "precious previous output\n");
    let before = dir.entries();
    let mut cases: Vec<Vec<&str>> = vec![
        vec!["mask", "missing.log", "-o", "out.log"],
        vec!["mask", "in.log", "-o", "out.log", "--policy", "bad.toml"],
        vec!["mask", "in.log", "-o", "out.log", "--policy", "tokenize"],
        vec!["mask", "in.log", "-o", "out.log", "--patterns", "missing-patterns.toml"],
        vec!["mask", "data.csv", "-o", "out.log"],
        vec!["mask", "dump.sql", "-o", "out.log"],
        vec!["mask", "binary.log", "-o", "out.log"],
    ];
    #[cfg(target_os = "linux")]
    cases.push(vec!["mask", "/proc/self/mem", "-o", "out.log", "--input-format", "text"]);
    for args in cases {
        let run = dir.run(&args).failed();
        assert_eq!(dir.read_string("out.log"), "precious previous output\n", "{args:?}: {}", run.stderr);
        assert_eq!(dir.entries(), before, "{args:?}: no temporary file left");
    }
    let run = dir.run(&["mask", "binary.log", "-o", "out.log"]).failed();
    assert!(run.stderr.contains("binary") && run.stderr.contains("--input-format text"), "{}", run.stderr);
    #[cfg(target_os = "linux")]
    {
        let run = dir.run(&["mask", "/proc/self/mem", "-o", "out.log", "--input-format", "text"]).failed();
        assert!(run.stderr.contains("/proc/self/mem: cannot read"), "{}", run.stderr);
    }
    assert_eq!(dir.read_string("in.log"), LOG);
}

/// Kills a tokenize run over a 50 MB input after ~100 ms: OUT holds its
/// previous content (or, if the run won the race, the complete output) and
/// the input is unchanged.
#[test]
fn a_killed_run_leaves_the_previous_output_and_the_input() {
    let dir = Dir::new();
    let mut input = Vec::with_capacity(51 * 1024 * 1024);
    let mut i = 0u64;
    while input.len() < 50 * 1024 * 1024 {
        let line = format!(
            "2024-03-14 req={i} user mail jdoe{i}@example.org SSN 123-45-{:04} MRN: {:08} status ok\n",
            i % 10_000,
            i % 100_000_000
        );
        input.extend_from_slice(line.as_bytes());
        i += 1;
    }
    dir.write("big.log", &input);
    dir.write("out.log", "previous\n");
    dir.keygen("k.bin");
    let mut child: Child = dir
        .command(&["mask", "big.log", "-o", "out.log", "--policy", "tokenize", "--key-file", "k.bin", "-q"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let _ = child.kill();
    let status = child.wait().unwrap();

    assert!(dir.read("big.log") == input, "input changed");
    let out = dir.read("out.log");
    if status.success() {
        // The run finished before the kill: OUT must be complete.
        dir.run(&["mask", "big.log", "-o", "again.log", "--policy", "tokenize", "--key-file", "k.bin"]).ok();
        assert!(out == dir.read("again.log"), "a finished run left an incomplete output");
    } else {
        assert_eq!(out, b"previous\n", "a killed run changed the output");
    }
    // A killed process cannot clean up: at most its temporary file is left,
    // never under the output's name.
    for name in dir.entries() {
        assert!(
            ["big.log", "out.log", "k.bin", "again.log"].contains(&name.as_str())
                || (name.starts_with(".out.log.phimask-") && name.ends_with(".tmp")),
            "unexpected {name}"
        );
    }
}

// ---------------------------------------------------------------- stdin

#[test]
fn stdin_filter_answers_each_line_before_stdin_closes() {
    let dir = Dir::new();
    let mut child = dir
        .command(&["mask", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout);
        loop {
            let mut line = String::new();
            if lines.read_line(&mut line).unwrap() == 0 {
                break;
            }
            tx.send(line).unwrap();
        }
    });
    let wait = Duration::from_secs(20);
    stdin.write_all(b"login ok for SSN 123-45-6789\n").unwrap();
    stdin.flush().unwrap();
    assert_eq!(rx.recv_timeout(wait).expect("a masked line before stdin closes"), "login ok for SSN ***-**-6789\n");
    stdin.write_all(b"mail jdoe@example.org\nno phi here\n").unwrap();
    stdin.flush().unwrap();
    assert_eq!(rx.recv_timeout(wait).unwrap(), "mail ****@*******.***\n");
    assert_eq!(rx.recv_timeout(wait).unwrap(), "no phi here\n");
    drop(stdin);
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(status.success(), "{stderr}");
    assert!(stderr.contains("masked 2 values"), "{stderr}");
    assert_no_raw("stderr", &stderr);
}

#[test]
fn stdin_filter_masks_long_lines_and_unterminated_ends() {
    let dir = Dir::new();
    // 2.5 MiB on one line (more than the 1 MiB the filter holds), an SSN
    // every ~40 KiB. (Dense findings on one huge line are slow in the core.)
    let mut input = Vec::new();
    let mut n = 0;
    while input.len() < 5 * 1024 * 1024 / 2 {
        input.extend_from_slice(if n % 4500 == 0 { b"SSN 123-45-6789 " } else { b"abcdefgh " });
        n += 1;
    }
    input.extend_from_slice(b"\nlast SSN 123-45-6789");
    let run = dir.run_stdin(&["mask", "-"], &input).ok();
    let expected: Vec<u8> = String::from_utf8(input).unwrap().replace("123-45-6789", "***-**-6789").into_bytes();
    assert!(run.stdout == expected, "long line masked whole, tail kept");
}

#[test]
fn stdin_to_a_file_and_file_to_stdout() {
    let dir = Dir::new();
    dir.write("out.log", "old\n");
    dir.run_stdin(&["mask", "-", "-o", "out.log"], LOG.as_bytes()).ok();
    let masked = LOG.replace("123-45-6789", "***-**-6789");
    assert_eq!(dir.read_string("out.log"), masked);
    assert_eq!(dir.entries(), ["out.log"]);
    dir.write("in.log", LOG);
    let run = dir.run(&["mask", "in.log", "-o", "-"]).ok();
    assert_eq!(run.stdout(), masked);
    let run = dir.run(&["mask", "in.log", "-o", "/dev/null"]).ok();
    assert!(run.stdout.is_empty());
}

// ---------------------------------------------------------------- reports

#[test]
fn summary_and_report_hold_no_phi() {
    let dir = Dir::new();
    dir.write("in.txt", SAMPLE);
    dir.keygen("k.bin");
    for policy in ["mask", "redact", "label", "tokenize", "hash"] {
        let run = dir
            .run(&["mask", "in.txt", "-o", "out.txt", "--policy", policy, "--key-file", "k.bin", "--report", "r.json"])
            .ok();
        assert_no_raw("stderr", &run.stderr);
        assert_no_raw("report", &dir.read_string("r.json"));
        assert_no_raw("output", &dir.read_string("out.txt"));
    }
}

#[test]
fn report_json_shape() {
    let dir = Dir::new();
    dir.write("in.txt", SAMPLE);
    dir.run(&["mask", "in.txt", "-o", "out.txt", "--report", "report.json"]).ok();
    let report: Value = serde_json::from_slice(&dir.read("report.json")).unwrap();
    let keys: Vec<&str> = report.as_object().unwrap().keys().map(String::as_str).collect();
    let mut expected = ["version", "input", "output", "policy", "key_id", "tokenized", "bytes", "masked", "total"];
    expected.sort();
    let mut keys = keys;
    keys.sort();
    assert_eq!(keys, expected);
    assert_eq!(report["version"], 1);
    assert_eq!(report["input"], "in.txt");
    assert_eq!(report["output"], "out.txt");
    assert_eq!(report["policy"], "mask");
    assert_eq!(report["key_id"], Value::Null);
    assert_eq!(report["bytes"], SAMPLE.len());
    assert_eq!(report["masked"]["SSN"]["mask"], 1);
    assert_eq!(report["masked"]["EMAIL"]["mask"], 1);
    let sum: u64 = report["masked"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|ops| ops.as_object().unwrap().values().map(|n| n.as_u64().unwrap()))
        .sum();
    assert_eq!(report["total"], sum);
    assert!(sum >= 4, "{report}");

    let id = dir.keygen("k.bin");
    dir.run(&["mask", "in.txt", "-o", "out.txt", "--policy", "tokenize", "--key-file", "k.bin", "--report", "r2.json"])
        .ok();
    let report: Value = serde_json::from_slice(&dir.read("r2.json")).unwrap();
    assert_eq!(report["key_id"], id.as_str());
    assert_eq!(report["policy"], "tokenize");
    assert!(report["tokenized"].as_array().unwrap().contains(&Value::from("SSN")), "{report}");
    assert_eq!(report["masked"]["SSN"]["tokenize"], 1);

    let run = dir.run_stdin(&["mask", "-", "--report", "r3.json"], b"SSN 123-45-6789\n").ok();
    assert_eq!(run.stdout(), "SSN ***-**-6789\n");
    let report: Value = serde_json::from_slice(&dir.read("r3.json")).unwrap();
    assert_eq!((report["input"].as_str(), report["output"].as_str()), (Some("-"), Some("-")));
    assert_eq!(report["total"], 1);
}

// ---------------------------------------------------------------- input kinds

#[test]
fn invalid_utf8_is_masked_and_kept_byte_for_byte() {
    let dir = Dir::new();
    let input: &[u8] = b"\xff\xfe start \xc3(\nSSN 123-45-6789 \x80\x81\n\xe2\x82 end\n";
    dir.write("in.log", input);
    dir.run(&["mask", "in.log", "-o", "out.log"]).ok();
    assert_eq!(dir.read("out.log"), b"\xff\xfe start \xc3(\nSSN ***-**-6789 \x80\x81\n\xe2\x82 end\n");
    let run = dir.run_stdin(&["mask", "-"], input).ok();
    assert_eq!(run.stdout, b"\xff\xfe start \xc3(\nSSN ***-**-6789 \x80\x81\n\xe2\x82 end\n");
}

#[test]
fn hl7_needs_input_format_text() {
    let dir = Dir::new();
    for name in ["msg.hl7", "MSG.HL7"] {
        dir.write(name, "note SSN 123-45-6789\n");
        let run = dir.run(&["mask", name, "-o", "out.txt"]).failed();
        assert!(
            run.stderr.contains("this structured format is not supported yet; use --input-format text"),
            "{name}: {}",
            run.stderr
        );
        assert!(!dir.exists("out.txt"));
    }
    dir.run(&["mask", "msg.hl7", "-o", "out.txt", "--input-format", "text"]).ok();
    assert_eq!(dir.read_string("out.txt"), "note SSN ***-**-6789\n");
    // A structured extension can still be masked as text when asked.
    dir.write("dump.sql", "note SSN 123-45-6789\n");
    dir.run(&["mask", "dump.sql", "-o", "out.txt", "--input-format", "text"]).ok();
    assert_eq!(dir.read_string("out.txt"), "note SSN ***-**-6789\n");
    dir.write("data.csv", "note SSN 123-45-6789\n");
    dir.run(&["mask", "data.csv", "-o", "out.txt", "--input-format", "text"]).ok();
    assert_eq!(dir.read_string("out.txt"), "note SSN ***-**-6789\n");
}

/// A SQL dump: a pg_dump-style table and a mysqldump-style multi-row
/// INSERT, with a comment and a literal that look like structure.
const SQL: &str = "\
-- INSERT INTO patients VALUES ('123-45-6789');
CREATE TABLE patients (patient_id text, ssn text, notes text);
INSERT INTO patients VALUES ('P-1', '123-45-6789', 'call (617) 555-0123; ok');
INSERT INTO `patients` (`patient_id`,`ssn`,`notes`) VALUES ('P-2','234-56-7890','it\\'s fine'),('P-1','123-45-6789',NULL);
";

#[test]
fn sql_dumps_are_masked_by_extension_or_input_format() {
    let dir = Dir::new();
    dir.write("dump.sql", SQL);
    let run = dir.run(&["mask", "dump.sql", "-o", "out.sql", "--policy", "label", "--report", "r.json"]).ok();
    let expected = SQL
        .replacen("-- INSERT INTO patients VALUES ('123-45-6789');", "-- INSERT INTO patients VALUES ('[SSN_1]');", 1)
        .replacen(
            "('P-1', '123-45-6789', 'call (617) 555-0123; ok')",
            "('[OTHER_ID_1]', '[SSN_1]', 'call [PHONE_1]; ok')",
            1,
        )
        .replace("'P-2','234-56-7890'", "'[OTHER_ID_2]','[SSN_2]'")
        .replace("'P-1','123-45-6789'", "'[OTHER_ID_1]','[SSN_1]'");
    assert_eq!(dir.read_string("out.sql"), expected);
    assert!(run.stderr.contains("; 3 records"), "{}", run.stderr);
    for raw in ["123-45-6789", "234-56-7890", "555-0123"] {
        assert!(!run.stderr.contains(raw), "{raw} in {}", run.stderr);
    }
    let report: Value = serde_json::from_slice(&dir.read("r.json")).unwrap();
    assert_eq!(report["format"], "sql");
    assert_eq!(report["records"], 3);
    assert_eq!(report["skipped"], 0);

    // --input-format sql: another extension, and standard input.
    dir.write("dump.txt", SQL);
    dir.run(&["mask", "dump.txt", "-o", "b.sql", "--policy", "label", "--input-format", "sql"]).ok();
    assert_eq!(dir.read_string("b.sql"), expected);
    let run = dir.run_stdin(&["mask", "-", "--policy", "label", "--input-format", "sql"], SQL.as_bytes()).ok();
    assert_eq!(run.stdout(), expected);

    // Joinable under tokenize, and --subject-column is accepted.
    let key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    let args =
        ["mask", "dump.sql", "-o", "t.sql", "--policy", "tokenize", "--key-env", "K", "--subject-column", "patient_id"];
    dir.run_env(&args, "K", key).ok();
    let out = dir.read_string("t.sql");
    assert!(out.starts_with("-- INSERT INTO patients VALUES ('"), "comments keep their text around PHI: {out}");
    assert!(!out.contains("123-45-6789") && !out.contains("234-56-7890"), "no SSN survives, comments included: {out}");
    let token = out.lines().nth(2).unwrap().split('\'').nth(3).unwrap().to_string();
    assert_eq!(token.len(), 11, "{out}");
    assert_eq!(out.matches(&format!("'{token}'")).count(), 2, "same SSN, same token: {out}");
}

#[test]
fn malformed_sql_statements_fail_or_are_skipped() {
    let dir = Dir::new();
    let bad = "CREATE TABLE t (name text, ssn text);\n\
               INSERT INTO t VALUES ('John Smith', '123-45-6789');\n\
               INSERT INTO t VALUES ('Mary Jones', '234-56-7890', 'extra');\n\
               INSERT INTO t VALUES ('Ann Lee', '345-67-8901');\n";
    dir.write("in.sql", bad);
    dir.write("out.sql", "previous\n");
    let run = dir.run(&["mask", "in.sql", "-o", "out.sql"]).failed();
    assert!(run.stderr.contains("in.sql: line 3: "), "{}", run.stderr);
    assert!(run.stderr.contains("--on-error skip"), "{}", run.stderr);
    for raw in ["Mary", "Jones", "234-56-7890", "extra", "John"] {
        assert!(!run.stderr.contains(raw), "{raw} in {}", run.stderr);
    }
    assert_eq!(dir.read_string("out.sql"), "previous\n", "OUT untouched");
    assert_eq!(dir.entries(), ["in.sql", "out.sql"], "no temporary file left");

    let run = dir.run(&["mask", "in.sql", "-o", "out.sql", "--on-error", "skip", "--report", "r.json"]).ok();
    let out = dir.read_string("out.sql");
    assert_eq!(out.lines().count(), 4, "{out}");
    assert!(out.lines().nth(2).unwrap().contains("***-**-7890"), "{out}");
    assert!(out.lines().nth(3).unwrap().contains("'***-**-8901'"), "{out}");
    assert!(!out.contains("234-56-7890") && !out.contains("Mary Jones"), "{out}");
    assert!(run.stderr.contains("1 malformed record masked as text (line 3)"), "{}", run.stderr);
    let report: Value = serde_json::from_slice(&dir.read("r.json")).unwrap();
    assert_eq!(report["skipped_lines"], serde_json::json!([3]));
    let text = dir.read_string("r.json");
    assert!(!text.contains("Mary") && !text.contains("7890"), "{text}");
}

/// A CSV whose PHI columns are named, with a free-text column.
const CSV: &str = "patient_id,patient_name,ssn,mrn,notes\n\
                   P-1,John Smith,123-45-6789,00123456,mail jdoe@example.org\n\
                   P-2,Mary Jones,234-56-7890,00654321,no phi here\n\
                   P-1,John Smith,123-45-6789,00123456,\"call (617) 555-0123, ok\"\n";

#[test]
fn formats_are_chosen_by_extension() {
    let dir = Dir::new();
    dir.write("in.csv", CSV);
    let run = dir.run(&["mask", "in.csv", "-o", "out.csv", "--report", "r.json"]).ok();
    let out = dir.read_string("out.csv");
    assert!(out.starts_with("patient_id,patient_name,ssn,mrn,notes\n"), "{out}");
    assert!(out.contains(",***-**-6789,"), "{out}");
    for raw in RAW.iter().chain(&["Mary Jones", "234-56-7890", "00654321"]) {
        assert!(!out.contains(raw), "{raw} in {out}");
        assert!(!run.stderr.contains(raw), "{raw} in {}", run.stderr);
    }
    assert!(run.stderr.contains("; 3 records"), "{}", run.stderr);
    let report: Value = serde_json::from_slice(&dir.read("r.json")).unwrap();
    assert_eq!(report["format"], "csv");
    assert_eq!(report["records"], 3);
    assert_eq!(report["skipped"], 0);

    dir.write("in.tsv", CSV.replace(',', "\t").replace("\"call (617) 555-0123\t ok\"", "call (617) 555-0123"));
    dir.run(&["mask", "in.tsv", "-o", "out.tsv"]).ok();
    let out = dir.read_string("out.tsv");
    assert!(out.contains("\t***-**-6789\t") && !out.contains("John Smith"), "{out}");

    dir.write("in.jsonl", "{\"mrn\": 12345678, \"notes\": \"SSN 123-45-6789\"}\n{\"ok\": true}\n");
    dir.run(&["mask", "in.jsonl", "-o", "out.jsonl", "--policy", "label"]).ok();
    // Only the values change: spacing and untouched values keep their bytes.
    assert_eq!(dir.read_string("out.jsonl"), "{\"mrn\": \"[MRN_1]\", \"notes\": \"SSN [SSN_1]\"}\n{\"ok\": true}\n");

    dir.write("in.json", "{\"patient\": {\"ssn\": \"123-45-6789\", \"visits\": [1, 2]}}");
    dir.run(&["mask", "in.json", "-o", "out.json", "--policy", "label"]).ok();
    assert_eq!(dir.read_string("out.json"), "{\"patient\": {\"ssn\": \"[SSN_1]\", \"visits\": [1, 2]}}");

    // --input-format overrides the extension, and works on stdin.
    dir.write("data.txt", CSV);
    dir.run(&["mask", "data.txt", "-o", "a.csv", "--input-format", "csv"]).ok();
    assert_eq!(dir.read_string("a.csv"), out_csv(&dir));
    let run = dir.run_stdin(&["mask", "-", "--input-format", "csv"], CSV.as_bytes()).ok();
    assert_eq!(run.stdout(), out_csv(&dir));
}

fn out_csv(dir: &Dir) -> String {
    dir.read_string("out.csv")
}

#[test]
fn tokenized_csv_is_joinable_and_subject_column_is_accepted() {
    let dir = Dir::new();
    dir.write("in.csv", CSV);
    let key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    let args =
        ["mask", "in.csv", "-o", "out.csv", "--policy", "tokenize", "--key-env", "K", "--subject-column", "patient_id"];
    dir.run_env(&args, "K", key).ok();
    let out = dir.read_string("out.csv");
    let rows: Vec<Vec<&str>> = out.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert_eq!(rows[0][3], rows[2][3], "same MRN, same token: {out}");
    assert_ne!(rows[0][3], "00123456");
    assert_ne!(rows[0][3], rows[1][3]);

    let run = dir.run(&["mask", "in.csv", "-o", "x.csv", "--subject-column", "person"]).failed();
    assert!(run.stderr.contains("subject column 'person' is not in the header"), "{}", run.stderr);
    assert!(!dir.exists("x.csv"));
    dir.write("in.log", "x\n");
    let run = dir.run(&["mask", "in.log", "-o", "x.log", "--subject-column", "patient_id"]).failed();
    assert!(run.stderr.contains("--subject-column needs a structured input"), "{}", run.stderr);
}

#[test]
fn malformed_rows_fail_or_are_skipped() {
    let dir = Dir::new();
    let bad = "name,ssn\nJohn Smith,123-45-6789\nMary Jones,234-56-7890,extra\nAnn Lee,345-67-8901\n";
    dir.write("in.csv", bad);
    dir.write("out.csv", "previous\n");
    let run = dir.run(&["mask", "in.csv", "-o", "out.csv"]).failed();
    assert!(run.stderr.contains("in.csv: line 3: row has 3 fields, the header has 2"), "{}", run.stderr);
    assert!(run.stderr.contains("--on-error skip"), "{}", run.stderr);
    for raw in ["Mary", "Jones", "234-56-7890", "extra", "John"] {
        assert!(!run.stderr.contains(raw), "{raw} in {}", run.stderr);
    }
    assert_eq!(dir.read_string("out.csv"), "previous\n", "OUT untouched");
    assert_eq!(dir.read_string("in.csv"), bad);
    assert_eq!(dir.entries(), ["in.csv", "out.csv"], "no temporary file left");

    let run = dir.run(&["mask", "in.csv", "-o", "out.csv", "--on-error", "skip", "--report", "r.json"]).ok();
    let out = dir.read_string("out.csv");
    assert_eq!(out.lines().count(), 4, "{out}");
    assert!(out.lines().nth(2).unwrap().contains("***-**-7890"), "{out}");
    assert!(!out.contains("234-56-7890") && !out.contains("Mary Jones"), "{out}");
    assert!(run.stderr.contains("1 malformed record masked as text (line 3)"), "{}", run.stderr);
    let report: Value = serde_json::from_slice(&dir.read("r.json")).unwrap();
    assert_eq!(report["skipped"], 1);
    assert_eq!(report["skipped_lines"], serde_json::json!([3]));
    let text = dir.read_string("r.json");
    assert!(!text.contains("Mary") && !text.contains("7890"), "{text}");

    dir.write("in.ndjson", "{\"ssn\":\"123-45-6789\"}\n{\"ssn\": \"234-56-7890\"\n");
    let run = dir.run(&["mask", "in.ndjson", "-o", "out.ndjson"]).failed();
    assert!(run.stderr.contains("in.ndjson: line 2: "), "{}", run.stderr);
    assert!(!run.stderr.contains("7890"), "{}", run.stderr);
    assert!(!dir.exists("out.ndjson"));
    dir.run(&["mask", "in.ndjson", "-o", "out.ndjson", "--on-error", "skip"]).ok();
    assert_eq!(dir.read_string("out.ndjson"), "{\"ssn\":\"***-**-6789\"}\n{\"ssn\": \"***-**-7890\"\n");
}

#[test]
fn engine_options_and_config_apply() {
    let dir = Dir::new();
    dir.write("in.txt", SAMPLE);
    dir.run(&["mask", "in.txt", "-o", "a.txt", "--entities", "SSN"]).ok();
    let a = dir.read_string("a.txt");
    assert!(a.starts_with("SSN ***-**-6789\npt John Smith MRN 00123456\n"), "{a}");
    dir.write(".phimask.toml", "exclude_entities = [\"SSN\"]\n");
    dir.run(&["mask", "in.txt", "-o", "b.txt"]).ok();
    assert!(dir.read_string("b.txt").starts_with("SSN 123-45-6789\n"));
    dir.run(&["mask", "in.txt", "-o", "c.txt", "--no-config"]).ok();
    assert!(dir.read_string("c.txt").starts_with("SSN ***-**-6789\n"));
}

// ---------------------------------------------------------------- unmask

#[test]
fn unmask_restores_tokenized_text_csv_and_stdin() {
    let dir = Dir::new();
    dir.write("in.log", SAMPLE);
    dir.write("in.csv", "patient_id,name,ssn,email\nP-0001,Jane Doe,536-22-8140,jdoe@example.org\n");
    dir.keygen("a.key");
    for (input, masked, back) in [("in.log", "t.log", "back.log"), ("in.csv", "t.csv", "back.csv")] {
        dir.run(&["mask", input, "-o", masked, "--policy", "tokenize", "--key-file", "a.key", "--report", "r.json"])
            .ok();
        assert_ne!(dir.read(masked), dir.read(input));
        let run = dir.run(&["unmask", masked, "-o", back, "--key-file", "a.key", "--mask-report", "r.json"]).ok();
        assert_eq!(dir.read_string(back), dir.read_string(input), "{input}");
        assert!(run.stderr.contains("restored"), "{}", run.stderr);
        assert_no_raw("unmask stderr", &run.stderr);
    }
    // As a filter on standard input.
    let masked = dir.read("t.log");
    let run = dir.run_stdin(&["unmask", "-", "--key-file", "a.key", "--unverified"], &masked).ok();
    assert_eq!(run.stdout(), SAMPLE);
}

#[test]
fn unmask_with_a_wrong_or_missing_key_fails_clearly() {
    let dir = Dir::new();
    dir.write("in.log", SAMPLE);
    let id = dir.keygen("a.key");
    dir.keygen("b.key");
    dir.run(&["mask", "in.log", "-o", "t.log", "--policy", "tokenize", "--key-file", "a.key", "--report", "r.json"])
        .ok();
    let run = dir.run(&["unmask", "t.log", "-o", "back.log", "--mask-report", "r.json"]).failed();
    assert!(run.stderr.contains("needs the key"), "{}", run.stderr);
    let run =
        dir.run(&["unmask", "t.log", "-o", "back.log", "--key-file", "b.key", "--mask-report", "r.json"]).failed();
    assert!(run.stderr.contains("wrong key") && run.stderr.contains(&id), "{}", run.stderr);
    assert!(!dir.exists("back.log"), "nothing written on error");
    // The right key with the report passes the check.
    dir.run(&["unmask", "t.log", "-o", "back.log", "--key-file", "a.key", "--mask-report", "r.json"]).ok();
    assert_eq!(dir.read_string("back.log"), SAMPLE);
}

#[test]
fn d13_stdout_that_is_the_input_file_is_refused() {
    let dir = Dir::new();
    dir.write("f.txt", "SSN 123-45-6789\n");
    let out = std::fs::OpenOptions::new().append(true).open(dir.join("f.txt")).unwrap();
    let run = dir.run_with(dir.command(&["mask", "f.txt", "-o", "-"]).stdin(Stdio::null()).stdout(out)).failed();
    assert!(run.stderr.contains("standard output is the input file"), "{}", run.stderr);
    assert_eq!(dir.read_string("f.txt"), "SSN 123-45-6789\n", "nothing appended");
}

#[cfg(unix)]
#[test]
fn d16_a_signal_removes_the_temporary_file_and_it_is_never_world_readable() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Dir::new();
    // Standard input stays open, so the run waits with its temporary file
    // staged until the signal comes.
    let mut child = dir
        .command(&["unmask", "-", "-o", "out.txt", "--key-env", "K", "--unverified"])
        .env("K", "a3f1c9e27b4d5068f9e2a1b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let staged = (0..200)
        .find_map(|_| {
            std::thread::sleep(std::time::Duration::from_millis(20));
            dir.entries().into_iter().find(|n| n.starts_with(".out.txt.phimask-"))
        })
        .expect("a staged temporary file");
    let mode = std::fs::metadata(dir.join(&staged)).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the staged file is the owner's only");
    let kill = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert!(dir.entries().is_empty(), "left behind: {:?}", dir.entries());
}

#[test]
fn d8_unmask_without_a_report_or_with_a_mismatched_policy_refuses() {
    let dir = Dir::new();
    dir.write("in.log", SAMPLE);
    dir.keygen("a.key");
    dir.keygen("b.key");
    // No report: refused unless the user says the restore is unverified.
    let run = dir.run(&["unmask", "in.log", "-o", "back.log", "--key-file", "a.key"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("--mask-report") && run.stderr.contains("--unverified"), "{}", run.stderr);
    // Output of a mixed policy: date shifts and surrogates are one-way, so
    // unmasking it as `tokenize` would write wrong values.
    let args =
        ["mask", "in.log", "-o", "sh.log", "--policy", "safe-harbor", "--key-file", "a.key", "--report", "sh.json"];
    dir.run(&args).ok();
    let run =
        dir.run(&["unmask", "sh.log", "-o", "back.log", "--key-file", "a.key", "--mask-report", "sh.json"]).failed();
    assert!(run.stderr.contains("tokenizes nothing"), "{}", run.stderr);
    // A policy that tokenizes SSNs only and masks the rest: unmasking it as
    // `tokenize` would decrypt masked values too.
    dir.write("mixed.toml", "[default]\noperator = \"mask\"\n[entity.SSN]\noperator = \"tokenize\"\n");
    let args =
        ["mask", "in.log", "-o", "mx.log", "--policy", "mixed.toml", "--key-file", "a.key", "--report", "mx.json"];
    dir.run(&args).ok();
    let args = ["unmask", "mx.log", "-o", "back.log", "--key-file", "a.key", "--mask-report", "mx.json"];
    let run = dir.run(&[&args[..], &["--policy", "tokenize"]].concat()).failed();
    assert!(run.stderr.contains("policy mismatch"), "{}", run.stderr);
    // With the report's own policy it restores the SSN and nothing else.
    dir.run(&args).ok();
    let back = dir.read_string("back.log");
    assert!(back.contains("123-45-6789") && !back.contains("jdoe@example.org"), "{back}");
    std::fs::remove_file(dir.join("back.log")).unwrap();
    // The wrong key against a report: refused.
    let args = ["mask", "in.log", "-o", "t.log", "--policy", "tokenize", "--key-file", "a.key", "--report", "t.json"];
    dir.run(&args).ok();
    let run =
        dir.run(&["unmask", "t.log", "-o", "back.log", "--key-file", "b.key", "--mask-report", "t.json"]).failed();
    assert!(run.stderr.contains("wrong key"), "{}", run.stderr);
    assert!(!dir.exists("back.log"), "nothing written on any refusal");
    // The report's policy is the default: the right key restores exactly.
    dir.run(&["unmask", "t.log", "-o", "back.log", "--key-file", "a.key", "--mask-report", "t.json"]).ok();
    assert_eq!(dir.read_string("back.log"), SAMPLE);
}

#[test]
fn d14_errors_do_not_mislead() {
    let dir = Dir::new();
    // Valid JSON nested deeper than 128 levels is JSON.
    let deep = format!("{}{{\"ssn\": \"123-45-6789\"}}{}", "[".repeat(300), "]".repeat(300));
    dir.write("deep.json", &deep);
    dir.run(&["mask", "deep.json", "-o", "deep.out.json"]).ok();
    assert_eq!(dir.read_string("deep.out.json"), deep.replace("123-45-6789", "***-**-6789"));
    // A record too large to hold is not offered `--on-error skip`, which
    // could not mask it either.
    dir.write("big.ndjson", format!("{{\"a\": \"{}\"}}\n", "b".repeat(17 << 20)));
    let run = dir.run(&["mask", "big.ndjson", "-o", "big.out.ndjson"]).failed();
    assert!(run.stderr.contains("longer than 16 MiB") && !run.stderr.contains("--on-error"), "{}", run.stderr);
}

/// Peak RSS of `phimask ARGS` in `dir`, in MB, measured by Python's
/// `resource` module (the test machine's `python3`).
fn peak_rss_mb(dir: &Dir, args: &[&str]) -> f64 {
    let script = "import resource, subprocess, sys\n\
                  r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n\
                  print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)";
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_phimask"))
        .args(args)
        .current_dir(dir.path())
        .output()
        .expect("python3 runs (the Python tests need it too)");
    let text = String::from_utf8(out.stdout).unwrap();
    let mut parts = text.split_whitespace();
    let code: i32 = parts.next().unwrap().parse().unwrap();
    assert!(code == 0 || code == 1, "{args:?} exited {code}");
    parts.next().unwrap().parse::<f64>().unwrap() / 1024.0
}

#[test]
fn d17_memory_stays_under_100_mb_on_large_fields_and_dense_lines() {
    let dir = Dir::new();
    // Just under the 16 MiB record bound: the largest field a driver holds.
    let big = "a".repeat((16 << 20) - 1024);
    dir.write("field.csv", format!("id,notes\n1,\"{big}\"\n2,ok\n"));
    dir.write("string.sql", format!("INSERT INTO t (a) VALUES ('{big}');\nINSERT INTO t (a) VALUES ('x');\n"));
    dir.write("dense.log", "10.1.2.3 192.168.4.5 ".repeat(200_000));
    let json: Vec<String> = (0..100_000).map(|i| format!("{{\"id\": {i}, \"ssn\": \"123-45-6789\"}}")).collect();
    dir.write("array.json", format!("[{}]\n", json.join(",\n")));
    for args in [
        &["mask", "field.csv", "-o", "o.csv"][..],
        &["mask", "string.sql", "-o", "o.sql", "--on-error", "skip"],
        &["scan", "dense.log"],
        &["mask", "array.json", "-o", "o.json"],
    ] {
        let mb = peak_rss_mb(&dir, args);
        assert!(mb < 100.0, "{args:?}: {mb:.0} MB");
        eprintln!("{args:?}: peak {mb:.0} MB");
    }
}

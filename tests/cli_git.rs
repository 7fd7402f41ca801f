//! End-to-end tests of the git gate: `phimask scan --staged / --diff /
//! --history`, `phimask hook`, `phimask baseline` and the ways to allow a
//! false positive.
//!
//! Each test makes its own repository in a temporary directory and drives
//! the real `git` and the built binary. Git is isolated from the machine's
//! configuration (`HOME` points into the temporary directory, no system or
//! global config, no inherited `GIT_*` variables), so a developer's
//! `core.hooksPath` or signing setup cannot change the outcome.
//!
//! The PHI is synthetic and chosen to be stable findings of the default
//! engine: SSN `536-22-8726`, e-mail `jdoe@example.org`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use sha2::{Digest, Sha256};

const SSN: &str = "536-22-8726";
const EMAIL: &str = "jdoe@example.org";

/// A temporary git repository.
struct Repo {
    dir: tempfile::TempDir,
}

/// What a run produced.
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

    /// The `(path, line, column, entity)` of each finding in JSON output.
    fn findings(&self) -> Vec<(String, u64, u64, String)> {
        self.json()["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_string(),
                    f["line"].as_u64().unwrap(),
                    f["column"].as_u64().unwrap(),
                    f["entity"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    fn assert_no_raw_values(&self) {
        for raw in [SSN, "536228726", EMAIL] {
            assert!(!self.stdout.contains(raw), "raw {raw} on stdout:\n{}", self.stdout);
            assert!(!self.stderr.contains(raw), "raw {raw} on stderr:\n{}", self.stderr);
        }
    }
}

fn exec(mut cmd: Command) -> Run {
    let out: Output = cmd.stdin(Stdio::null()).output().expect("spawn");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl Repo {
    /// A new repository with no commit.
    fn new() -> Repo {
        let repo = Repo { dir: tempfile::tempdir().expect("temp dir") };
        std::fs::create_dir(repo.home()).unwrap();
        std::fs::create_dir(repo.top()).unwrap();
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.name", "Test"]);
        repo.git(&["config", "user.email", "test@invalid"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn top(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    /// An environment free of the host's git configuration.
    fn isolate(&self, cmd: &mut Command) {
        cmd.current_dir(self.top())
            .env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.home())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.home().join("gitconfig"))
            .env_remove("PHIMASK_BASELINE_KEY")
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE");
        for var in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_CEILING_DIRECTORIES"] {
            cmd.env_remove(var);
        }
    }

    fn git_command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("git");
        self.isolate(&mut cmd);
        cmd.args(args);
        cmd
    }

    /// Runs git and asserts it succeeded; returns stdout.
    fn git(&self, args: &[&str]) -> String {
        let run = exec(self.git_command(args));
        assert_eq!(run.code, 0, "git {args:?} failed:\n{}", run.stderr);
        run.stdout
    }

    fn phimask_command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_phimask"));
        self.isolate(&mut cmd);
        cmd.args(args);
        cmd
    }

    fn phimask(&self, args: &[&str]) -> Run {
        exec(self.phimask_command(args))
    }

    fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.top().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.top().join(rel)).unwrap()
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--no-verify", "-m", message]);
    }

    fn staged(&self) -> Run {
        self.phimask(&["scan", "--staged", "--format", "json"])
    }
}

/// A minimal DICOM Part 10 file: 128-byte preamble, `DICM`, then bytes
/// that would hold the patient's name.
fn dicom() -> Vec<u8> {
    let mut bytes = vec![0u8; 128];
    bytes.extend_from_slice(b"DICM");
    bytes.extend_from_slice(b"\x10\x00\x10\x00PN\x0c\x00DOE^JANE\x00\x00\x00\x00");
    bytes
}

#[test]
fn staged_scans_the_index_not_the_working_tree() {
    let repo = Repo::new();
    repo.write("notes.txt", "visit notes\n");
    repo.git(&["add", "notes.txt"]);
    // PHI only in the working tree: not about to be committed.
    repo.write("notes.txt", format!("visit notes\nSSN {SSN}\n"));
    let run = repo.staged();
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.findings().is_empty());

    // PHI only in the index: the working tree is clean again.
    repo.git(&["add", "notes.txt"]);
    repo.write("notes.txt", "visit notes\n");
    let run = repo.staged();
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.findings(), [("notes.txt".to_string(), 2, 5, "SSN".to_string())]);
    run.assert_no_raw_values();
}

#[test]
fn empty_repository_and_first_commit() {
    let repo = Repo::new();
    // Nothing staged, no HEAD.
    let run = repo.phimask(&["scan", "--staged"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("0 findings in 0 files"), "{}", run.stderr);
    let history = repo.phimask(&["scan", "--history"]);
    assert_eq!(history.code, 0, "{history:?}");

    repo.write("first.txt", format!("patient {EMAIL}\n"));
    repo.git(&["add", "first.txt"]);
    let run = repo.staged();
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.findings(), [("first.txt".to_string(), 1, 9, "EMAIL".to_string())]);
}

#[test]
fn only_added_lines_are_reported_with_new_file_positions() {
    let repo = Repo::new();
    repo.write("data.txt", format!("header\nSSN {SSN}\nfooter\n"));
    repo.commit("old PHI, already in history");
    // Two new lines above the old PHI; the new one is on line 2 of the new file.
    repo.write("data.txt", format!("header\n  mail: {EMAIL}\nplain\nSSN {SSN}\nfooter\n"));
    repo.git(&["add", "data.txt"]);
    let run = repo.staged();
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.findings(), [("data.txt".to_string(), 2, 9, "EMAIL".to_string())]);

    // A change that only deletes lines adds nothing.
    repo.commit("both");
    repo.write("data.txt", "header\nfooter\n");
    repo.git(&["add", "data.txt"]);
    assert_eq!(repo.staged().code, 0);
}

#[test]
fn context_on_unchanged_lines_still_counts() {
    // A bare 9-digit number is an SSN only with a hotword near it; the
    // hotword sits on an old line, the number on a new one.
    let repo = Repo::new();
    repo.write("form.txt", "Patient SSN:\n");
    repo.commit("label");
    repo.write("form.txt", "Patient SSN:\n536228726\n");
    repo.git(&["add", "form.txt"]);
    repo.write("alone.txt", "536228726\n");
    let alone = repo.phimask(&["scan", "--no-config", "--format", "json", "alone.txt"]);
    let run = repo.staged();
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.findings(), [("form.txt".to_string(), 2, 1, "SSN".to_string())]);
    // Sanity: the same line without its context is not an SSN.
    assert!(alone.findings().iter().all(|f| f.3 != "SSN"), "{alone:?}");
}

#[test]
fn renames_report_the_new_path_and_only_new_lines() {
    let repo = Repo::new();
    let body = format!("line one\nline two\nSSN {SSN}\nline four\nline five\nline six\n");
    repo.write("old name.txt", &body);
    repo.commit("one");

    // Deleting a file with PHI adds nothing.
    repo.write("gone.txt", format!("SSN {SSN}\n"));
    repo.commit("to be deleted");
    repo.git(&["rm", "-q", "gone.txt"]);
    let run = repo.staged();
    assert_eq!(run.code, 0, "{run:?}");
    repo.commit("deleted");

    // A pure rename adds nothing.
    repo.git(&["mv", "old name.txt", "new näme.txt"]);
    let run = repo.staged();
    assert_eq!(run.code, 0, "{run:?}");

    // A rename with an edit reports the added line under the new path.
    repo.write("new näme.txt", format!("{body}mail {EMAIL}\n"));
    repo.git(&["add", "-A"]);
    let run = repo.staged();
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.findings(), [("new näme.txt".to_string(), 7, 6, "EMAIL".to_string())]);
}

#[test]
fn binary_dicom_and_image_files() {
    let repo = Repo::new();
    repo.write("blob.bin", b"\x00\x01\x02binary 536-22-8726\x00");
    repo.write("scans/head.dcm", dicom());
    repo.write("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01");
    repo.write("not-an-image.png", "just text\n");
    repo.git(&["add", "-A"]);
    // By default a DICOM file is PHI by its kind, an ordinary image is not.
    let run = repo.phimask(&["scan", "--staged"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("scans/head.dcm:1:1 PHOTO (Q) file-dicom"), "{}", run.stdout);
    assert!(!run.stdout.contains("photo.jpg"), "{}", run.stdout);
    // Every image when every finding is asked for.
    let run = repo.phimask(&["scan", "--staged", "--findings", "all"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("photo.jpg:1:1 PHOTO (Q) file-image"), "{}", run.stdout);
    assert!(run.stdout.contains("scans/head.dcm:1:1 PHOTO (Q) file-dicom"), "{}", run.stdout);
    assert!(!run.stdout.contains("not-an-image.png"), "{}", run.stdout);
    // A binary is scanned as bytes: the SSN in its printable run is found.
    assert!(run.stdout.contains("blob.bin:1:11 SSN (G)"), "{}", run.stdout);
    assert!(!run.stdout.contains("DOE") && !run.stdout.contains("JANE"), "{}", run.stdout);

    // Allowed by path in .phimask.toml: nothing left to report.
    repo.write(".phimask.toml", "[paths]\nexclude = [\"scans/**\", \"*.jpg\", \"*.bin\"]\n");
    let run = repo.phimask(&["scan", "--staged"]);
    assert_eq!(run.code, 0, "{run:?}");

    // The same file kinds are findings in a plain scan of the tree.
    let run = repo.phimask(&["scan", "--no-config", "--format", "json", "."]);
    let kinds: Vec<_> = run.findings().into_iter().map(|f| (f.0, f.3)).collect();
    assert!(kinds.contains(&("./scans/head.dcm".to_string(), "PHOTO".to_string())), "{kinds:?}");
}

#[test]
fn submodules_are_skipped_with_a_note() {
    let repo = Repo::new();
    repo.write("a.txt", "fine\n");
    repo.commit("one");
    let head = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&["update-index", "--add", "--cacheinfo", &format!("160000,{},vendor/lib", head.trim())]);
    let run = repo.phimask(&["scan", "--staged"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("phimask: note: vendor/lib: submodule skipped"), "{}", run.stderr);
}

#[test]
fn inline_allow_markers() {
    let repo = Repo::new();
    repo.write(
        "fixture.py",
        format!(
            "a = '{SSN}'  # phimask:allow\nb = '{SSN} {EMAIL}'  # phimask:allow SSN\nc = '{SSN}'  # phimask:allow SNN\n"
        ),
    );
    repo.git(&["add", "-A"]);
    let run = repo.staged();
    assert_eq!(run.code, 1, "{run:?}");
    // Line 1: all allowed. Line 2: only the e-mail is left. Line 3: a typo allows nothing.
    let found: Vec<_> = run.findings().into_iter().map(|f| (f.1, f.3)).collect();
    assert_eq!(found, [(2, "EMAIL".to_string()), (3, "SSN".to_string())]);
    assert_eq!(run.json()["summary"]["allowed"], 2);
}

#[test]
fn config_value_allowlists_and_broken_config() {
    let repo = Repo::new();
    repo.write("a.txt", format!("SSN {SSN}\nmail {EMAIL}\n"));
    repo.git(&["add", "a.txt"]);
    repo.write(".phimask.toml", format!("[allow]\nvalues = [\"{SSN}\"]\nregexes = ['.*@example\\.org']\n"));
    let run = repo.staged();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["summary"]["allowed"], 2);

    // A broken config must not let PHI through: exit 2.
    repo.write(".phimask.toml", "[allow]\nregexes = ['(']\n");
    let run = repo.phimask(&["scan", "--staged"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains(".phimask.toml") && run.stderr.contains("allow.regexes"), "{}", run.stderr);
    repo.write(".phimask.toml", "min_scor = 0.5\n");
    assert_eq!(repo.phimask(&["scan", "--staged"]).code, 2);
}

#[test]
fn baseline_round_trip() {
    let repo = Repo::new();
    let fixture = format!("# test fixture\nname,ssn\nx,{SSN}\ny,000\nz,111\n");
    repo.write("tests/fixture.csv", &fixture);
    repo.commit("fixture");

    let create = repo.phimask(&["baseline", "create"]);
    assert_eq!(create.code, 0, "{create:?}");
    create.assert_no_raw_values();
    let key_path = repo.top().join(".git/phimask-key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "key file mode");
    }

    // The file: sorted, stable, no PHI, no unkeyed hash of it, no lines.
    let text = repo.read(".phimask-baseline.json");
    let doc: Value = serde_json::from_str(&text).unwrap();
    let entries = doc["findings"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{text}");
    assert_eq!(entries[0]["path"], "tests/fixture.csv");
    assert_eq!(entries[0]["entity"], "SSN");
    assert!(entries[0].get("line").is_none() && !text.contains("\"line\""), "{text}");
    for raw in [SSN, "536228726", "8726"] {
        assert!(!text.contains(raw), "baseline holds {raw}:\n{text}");
    }
    for form in [SSN, "536228726", "536 22 8726"] {
        let digest = hex(&Sha256::digest(form.as_bytes()));
        assert!(!text.contains(&digest[..16]), "baseline holds an unkeyed SHA-256 of {form}");
    }
    // Stable: creating it again gives the same bytes.
    assert_eq!(repo.phimask(&["baseline", "create"]).code, 0);
    assert_eq!(repo.read(".phimask-baseline.json"), text);
    repo.commit("baseline");

    // Moving the accepted line (it shows up as an added line) stays silent.
    repo.write("tests/fixture.csv", format!("# test fixture\nname,ssn\ny,000\nz,111\nw,222\nx,{SSN}\n"));
    repo.git(&["add", "-A"]);
    let run = repo.staged();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["summary"]["allowed"], 1);
    // Without the baseline the same change is reported (so the check above means something).
    let unbaselined = repo.phimask(&["scan", "--staged", "--no-baseline", "--format", "json"]);
    assert_eq!(unbaselined.findings(), [("tests/fixture.csv".to_string(), 6, 3, "SSN".to_string())]);

    // A new finding is reported.
    repo.write("tests/other.txt", format!("patient {EMAIL}\n"));
    repo.git(&["add", "-A"]);
    let run = repo.staged();
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.findings(), [("tests/other.txt".to_string(), 1, 9, "EMAIL".to_string())]);

    // The same value in another file is not accepted (path is fingerprinted).
    repo.write("tests/copy.csv", format!("x,{SSN}\n"));
    repo.git(&["add", "-A"]);
    let run = repo.phimask(&["scan", "--staged", "--baseline", ".phimask-baseline.json", "--format", "json"]);
    assert!(run.findings().iter().any(|f| f.0 == "tests/copy.csv"), "{run:?}");

    // Another key cannot read it: an error, not every finding reported as new.
    let other = "5e0f2b9c81d4a7362fe9c0b15a8d3e47c2916f0ab8d5e3c71f4a2b6d9e0c8f13";
    let mut cmd = repo.phimask_command(&["scan", "--staged"]);
    cmd.env("PHIMASK_BASELINE_KEY", other);
    let wrong = exec(cmd);
    assert_eq!(wrong.code, 2, "{wrong:?}");
    assert!(wrong.stderr.contains("key id"), "{}", wrong.stderr);
    assert!(!wrong.stderr.contains(other), "key on stderr");

    // A weak key is refused before it is used: a guessable baseline key
    // lets anyone recover the accepted values by trying candidates.
    let mut cmd = repo.phimask_command(&["scan", "--staged"]);
    cmd.env("PHIMASK_BASELINE_KEY", "00".repeat(32));
    let weak = exec(cmd);
    assert_eq!(weak.code, 2, "{weak:?}");
    assert!(weak.stderr.contains("too weak"), "{}", weak.stderr);

    // The same key from the environment (as in CI) works without the key file.
    let key = std::fs::read(&key_path).unwrap();
    std::fs::remove_file(&key_path).unwrap();
    let mut cmd = repo.phimask_command(&["scan", "--staged", "--format", "json"]);
    cmd.env("PHIMASK_BASELINE_KEY", hex(&key));
    let ci = exec(cmd);
    assert_eq!(ci.code, 1, "{ci:?}");
    assert!(ci.findings().iter().all(|f| f.0 != "tests/fixture.csv"), "{ci:?}");
    // And with no key at all, using the baseline is an error.
    assert_eq!(repo.phimask(&["scan", "--staged"]).code, 2);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn hook_install_uninstall_and_refusal_to_clobber() {
    let repo = Repo::new();
    let hook = repo.top().join(".git/hooks/pre-commit");
    let run = repo.phimask(&["hook", "install"]);
    assert_eq!(run.code, 0, "{run:?}");
    let script = std::fs::read_to_string(&hook).unwrap();
    assert!(script.starts_with("#!/bin/sh\n"), "{script}");
    assert!(script.contains(env!("CARGO_BIN_EXE_phimask")), "{script}");
    // Installing again updates our own hook.
    assert_eq!(repo.phimask(&["hook", "install"]).code, 0);
    assert_eq!(repo.phimask(&["hook", "uninstall"]).code, 0);
    assert!(!hook.exists());
    // Uninstalling when nothing is installed is fine.
    assert_eq!(repo.phimask(&["hook", "uninstall"]).code, 0);

    // A foreign hook is neither replaced nor removed...
    let foreign = "#!/bin/sh\necho team hook\n";
    std::fs::write(&hook, foreign).unwrap();
    let run = repo.phimask(&["hook", "install"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign);
    assert_eq!(repo.phimask(&["hook", "uninstall"]).code, 2);
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign);
    // ...unless --force, which keeps it aside, and uninstall puts it back.
    assert_eq!(repo.phimask(&["hook", "install", "--force"]).code, 0);
    assert!(std::fs::read_to_string(&hook).unwrap().contains("phimask-managed"));
    assert_eq!(std::fs::read_to_string(hook.with_file_name("pre-commit.phimask-backup")).unwrap(), foreign);
    assert_eq!(repo.phimask(&["hook", "uninstall"]).code, 0);
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign);
}

#[test]
fn hook_respects_core_hooks_path() {
    let repo = Repo::new();
    repo.git(&["config", "core.hooksPath", "githooks"]);
    assert_eq!(repo.phimask(&["hook", "install"]).code, 0);
    assert!(repo.top().join("githooks/pre-commit").is_file());
    assert!(!repo.top().join(".git/hooks/pre-commit").exists());
}

#[test]
fn installed_hook_blocks_a_real_commit() {
    let repo = Repo::new();
    repo.write("README.md", "project\n");
    repo.commit("init");
    assert_eq!(repo.phimask(&["hook", "install"]).code, 0);

    // A clean change commits.
    repo.write("README.md", "project\nmore text\n");
    repo.git(&["add", "-A"]);
    let ok = exec(repo.git_command(&["commit", "-q", "-m", "clean"]));
    assert_eq!(ok.code, 0, "{ok:?}");

    // PHI is refused: git commit fails, HEAD does not move, nothing raw is printed.
    let before = repo.git(&["rev-parse", "HEAD"]);
    repo.write("fixtures/patient.txt", format!("patient SSN {SSN}, mail {EMAIL}\n"));
    repo.git(&["add", "-A"]);
    let blocked = exec(repo.git_command(&["commit", "-m", "add fixture"]));
    assert_eq!(blocked.code, 1, "{blocked:?}");
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), before, "the commit must not happen");
    // git sends the hook's output to stderr.
    assert!(blocked.stderr.contains("fixtures/patient.txt:1:13 SSN (G) ssn-formatted"), "{blocked:?}");
    assert!(blocked.stderr.contains("hint: a false positive?"), "{}", blocked.stderr);
    blocked.assert_no_raw_values();

    // The hook's own exit code is 1 (findings), as the gate contract says.
    let direct = exec({
        let mut cmd = Command::new(repo.top().join(".git/hooks/pre-commit"));
        repo.isolate(&mut cmd);
        cmd
    });
    assert_eq!(direct.code, 1, "{direct:?}");
    direct.assert_no_raw_values();

    // Allowed inline, the same commit goes through.
    repo.write("fixtures/patient.txt", format!("patient SSN {SSN}, mail {EMAIL}  # phimask:allow synthetic\n"));
    repo.git(&["add", "-A"]);
    let allowed = exec(repo.git_command(&["commit", "-q", "-m", "add fixture"]));
    assert_eq!(allowed.code, 0, "{allowed:?}");
}

#[test]
fn history_finds_phi_in_an_old_commit() {
    let repo = Repo::new();
    repo.write("a.txt", "clean\n");
    repo.commit("one");
    repo.write("leak.txt", format!("SSN {SSN}\n"));
    repo.commit("two: the leak");
    let leak = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    std::fs::remove_file(repo.top().join("leak.txt")).unwrap();
    repo.commit("three: removed again");
    repo.write("a.txt", "clean\nstill clean\n");
    repo.commit("four");

    // The tree at HEAD is clean...
    assert_eq!(repo.phimask(&["scan", "--no-config", "."]).code, 0);
    // ...but history is not, and the finding names the commit.
    let run = repo.phimask(&["scan", "--history", "--format", "json"]);
    assert_eq!(run.code, 1, "{run:?}");
    let findings = run.json()["findings"].as_array().unwrap().clone();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["commit"], leak.as_str());
    assert_eq!(findings[0]["path"], "leak.txt");
    let text = repo.phimask(&["scan", "--history"]);
    assert!(text.stdout.starts_with(&format!("{}:leak.txt:1:5 SSN (G)", &leak[..12])), "{}", text.stdout);
    text.assert_no_raw_values();
}

#[test]
fn diff_reports_what_a_branch_adds() {
    let repo = Repo::new();
    repo.write("a.txt", format!("old {SSN}\n"));
    repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("b.txt", format!("patient {EMAIL}\n"));
    repo.commit("feature work");
    let run = repo.phimask(&["scan", "--diff", "main", "--format", "json"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.findings(), [("b.txt".to_string(), 1, 9, "EMAIL".to_string())]);

    let sarif = repo.phimask(&["scan", "--diff", "main", "--format", "sarif"]);
    assert_eq!(sarif.code, 1);
    let log = sarif.json();
    assert_eq!(log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "b.txt");
    assert!(!sarif.stdout.contains(EMAIL));

    let bad = repo.phimask(&["scan", "--diff", "no-such-branch"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("unknown revision 'no-such-branch'"), "{}", bad.stderr);
}

#[test]
fn staged_outside_a_repository_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_phimask"));
    cmd.args(["scan", "--staged"])
        .current_dir(dir.path())
        .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap_or(Path::new("/")))
        .env_remove("GIT_DIR");
    let run = exec(cmd);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.starts_with("phimask: error: "), "{}", run.stderr);
}

#[test]
fn large_staged_files_scan_the_index_even_when_read_from_disk() {
    // Files of 8 MiB and more are read from the working tree when it holds
    // the staged bytes; when it does not, the index still wins.
    let repo = Repo::new();
    let filler = "order,12345,99.50,status ok\n".repeat(9 * 1024 * 1024 / 28);
    repo.write("big.csv", format!("{filler}x,SSN {SSN}\n"));
    repo.git(&["add", "big.csv"]);
    let line = filler.lines().count() as u64 + 1;
    let run = repo.staged();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.findings(), [("big.csv".to_string(), line, 7, "SSN".to_string())]);

    // The working tree loses the PHI; the index still has it.
    repo.write("big.csv", format!("{filler}x,none\n"));
    let run = repo.staged();
    assert_eq!(run.findings(), [("big.csv".to_string(), line, 7, "SSN".to_string())]);

    // An assume-unchanged flag makes git trust the stat cache blindly: the
    // index must still win.
    repo.git(&["update-index", "--assume-unchanged", "big.csv"]);
    let run = repo.staged();
    assert_eq!(run.findings(), [("big.csv".to_string(), line, 7, "SSN".to_string())]);
    repo.git(&["update-index", "--no-assume-unchanged", "big.csv"]);

    // And the other way round: PHI only in the working tree is not reported.
    repo.git(&["add", "big.csv"]);
    repo.write("big.csv", format!("{filler}x,SSN {SSN}\n"));
    assert_eq!(repo.staged().code, 0);
}

#[test]
fn sarif_from_history_and_file_kinds_is_valid() {
    let repo = Repo::new();
    repo.write("a.txt", format!("SSN {SSN}\n"));
    repo.write("img/photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR");
    repo.commit("one");
    let run = repo.phimask(&["scan", "--history", "--format", "sarif", "--findings", "all"]);
    assert_eq!(run.code, 1, "{run:?}");
    let log = run.json();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/sarif-2.1.0-rtm.5.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::draft4::options().should_validate_formats(true).build(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| format!("{}: {e}", e.instance_path)).collect();
    assert!(errors.is_empty(), "SARIF schema violations:\n{}", errors.join("\n"));
    let results = log["runs"][0]["results"].as_array().unwrap();
    let rules: Vec<&str> = results.iter().map(|r| r["ruleId"].as_str().unwrap()).collect();
    assert!(rules.contains(&"file-image") && rules.contains(&"ssn-formatted"), "{rules:?}");
    let head = repo.git(&["rev-parse", "HEAD"]);
    assert!(results.iter().all(|r| r["properties"]["commit"] == head.trim()), "{results:?}");
    assert!(results.iter().all(|r| r.get("ruleIndex").is_some()), "every result has its rule");
    assert!(!run.stdout.contains(SSN));
}

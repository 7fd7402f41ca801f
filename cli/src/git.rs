//! Reading a repository through plain `git` plumbing.
//!
//! A git library would add seconds of compile time and milliseconds of
//! start-up to a binary whose pre-commit run must stay under 50 ms; the
//! `git` on the user's machine is already there, already configured (index
//! file, worktrees, `core.hooksPath`, sha256 repositories) and knows its own
//! formats best. So this module spawns a handful of plumbing commands per
//! scan and parses their machine formats:
//!
//! - `diff-index --cached` / `diff-tree -r` with `--raw -z`: which paths
//!   changed, with modes, blob ids and status (renames via `-M`). `-z`
//!   leaves paths with spaces, quotes or newlines unquoted.
//! - the same with `-p -U0` for modified, renamed and copied files only:
//!   the hunk headers give the added line numbers of the new file. Added
//!   files need no patch (every line is new), so a staged 100 MB file is
//!   never pushed through `git diff`.
//! - one `cat-file --batch` process streams every blob, so each is read
//!   once, straight from the object store (the index, not the working tree).
//!
//! Nothing scanned ever goes on a command line: arguments are revisions,
//! options and blob ids. Git's own error text (paths, revisions) is passed
//! on in errors; scanned bytes never are.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use crate::Failure;

/// Options every git invocation gets: paths in patches unquoted where git
/// allows it, and no pager, colour, external diff or text conversion.
const BASE_ARGS: &[&str] = &["-c", "core.quotePath=false", "--no-pager"];

/// A working tree and its git directories.
#[derive(Debug, Clone)]
pub(crate) struct Repo {
    /// The top of the working tree (absolute).
    pub(crate) top: PathBuf,
    /// The common git directory (absolute; shared by worktrees), where
    /// `phimask-key` lives.
    pub(crate) common_dir: PathBuf,
    /// The commit `HEAD` pointed at when discovered; `None` before the
    /// first commit.
    head: Option<String>,
}

/// Which changes to read.
#[derive(Debug, Clone)]
pub(crate) enum DiffRange {
    /// The index against `HEAD` (or the empty tree before the first commit).
    Staged { base: String },
    /// One tree-ish against another (`--diff REV`: merge base → `HEAD`).
    Trees { from: String, to: String },
    /// One commit against its first parent (or nothing, for a root commit).
    Commit { id: String },
}

/// What changed in one path.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    /// The path in the new tree (or index), relative to the top.
    pub(crate) path: Vec<u8>,
    /// The mode in the new tree, parsed from octal (`0o100644`, `0o160000`…).
    pub(crate) mode: u32,
    /// The blob id of the new content.
    pub(crate) oid: String,
    /// Which lines are new.
    pub(crate) added: Added,
}

/// The added lines of a changed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Added {
    /// Every line: a new file, a binary file, or content git would not diff.
    All,
    /// These 1-based line ranges (end exclusive), sorted.
    Lines(Vec<Range<u64>>),
}

impl Added {
    /// Whether any line in `first..=last` was added.
    pub(crate) fn touches(&self, first: u64, last: u64) -> bool {
        match self {
            Added::All => true,
            Added::Lines(ranges) => {
                let i = ranges.partition_point(|r| r.end <= first);
                ranges.get(i).is_some_and(|r| r.start <= last)
            }
        }
    }
}

/// The mode of a submodule (gitlink) entry.
pub(crate) const MODE_GITLINK: u32 = 0o160000;

/// A path as shown in reports: lossy UTF-8.
pub(crate) fn display(path: &[u8]) -> String {
    String::from_utf8_lossy(path).into_owned()
}

impl Repo {
    /// The repository holding `cwd`.
    ///
    /// # Errors
    /// A [`Failure`] when `git` cannot be run or `cwd` is not in a work tree.
    pub(crate) fn discover(cwd: &Path) -> Result<Repo, Failure> {
        // One process for the top, the git directory and HEAD (which
        // `--verify --quiet` leaves out, exiting 1, before the first commit).
        let out = command(cwd)
            .args(["rev-parse", "--show-toplevel", "--git-common-dir", "--verify", "--quiet", "HEAD^{commit}"])
            .stdin(Stdio::null())
            .output()
            .map_err(spawn_error)?;
        let text = String::from_utf8(out.stdout).map_err(|_| Failure::new("git printed a path that is not UTF-8"))?;
        let lines: Vec<&str> = text.lines().collect();
        let head = match (out.status.code(), lines.len()) {
            (Some(0), 3) => Some(lines[2].to_string()),
            (Some(1), 2) => None,
            _ => {
                let stderr = String::from_utf8_lossy(&out.stderr);
                let reason = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("not inside a git work tree");
                let reason = reason.trim().strip_prefix("fatal: ").unwrap_or(reason.trim());
                return Err(Failure::new(format!("cannot find the repository: git: {reason}")));
            }
        };
        if lines[0].is_empty() {
            return Err(Failure::new("not inside a git work tree (a bare repository has no index to scan)"));
        }
        Ok(Repo { top: PathBuf::from(lines[0]), common_dir: cwd.join(lines[1]), head })
    }

    /// A `git` command run at the top of the work tree.
    pub(crate) fn command(&self) -> Command {
        command(&self.top)
    }

    /// Runs git at the top with `args`, returning stdout.
    ///
    /// # Errors
    /// A [`Failure`] with git's message when it fails; `what` says what was
    /// being done ("list the staged changes").
    pub(crate) fn run<I, S>(&self, args: I, what: &str) -> Result<Vec<u8>, Failure>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        run(&self.top, args, what)
    }

    /// The commit `HEAD` points at, or `None` before the first commit.
    pub(crate) fn head(&self) -> Result<Option<String>, Failure> {
        Ok(self.head.clone())
    }

    /// The empty tree's id in this repository's hash.
    pub(crate) fn empty_tree(&self) -> Result<String, Failure> {
        let mut child = self
            .command()
            .args(["hash-object", "-t", "tree", "--stdin"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(spawn_error)?;
        let mut out = String::new();
        if let Some(mut stdout) = child.stdout.take() {
            let _ = stdout.read_to_string(&mut out);
        }
        let status = child.wait().map_err(spawn_error)?;
        if !status.success() || out.trim().is_empty() {
            return Err(Failure::new("git hash-object could not name the empty tree"));
        }
        Ok(out.trim().to_string())
    }

    /// The range for `--staged`: the index against `HEAD`, or against the
    /// empty tree in a repository with no commit yet.
    pub(crate) fn staged(&self) -> Result<DiffRange, Failure> {
        let base = match self.head()? {
            Some(head) => head,
            None => self.empty_tree()?,
        };
        Ok(DiffRange::Staged { base })
    }

    /// The range for `--diff REV`: from the merge base of `rev` and `HEAD`
    /// to `HEAD`, which is what a pull request from `HEAD` into `rev` adds.
    pub(crate) fn since(&self, rev: &str) -> Result<DiffRange, Failure> {
        if rev.starts_with('-') {
            return Err(Failure::new(format!("--diff: '{rev}' is not a revision")));
        }
        let head = self.head()?.ok_or_else(|| Failure::new("--diff: HEAD has no commit yet"))?;
        let out = self.run(["merge-base", rev, &head], &format!("find the merge base of '{rev}' and HEAD"));
        let out = match out {
            Ok(out) => out,
            Err(_) => {
                // Say whether the revision is unknown or merely unrelated.
                self.run(["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")], "")
                    .map_err(|_| Failure::new(format!("--diff: unknown revision '{rev}'")))?;
                return Err(Failure::new(format!("--diff: '{rev}' and HEAD have no common ancestor")));
            }
        };
        let from = String::from_utf8_lossy(&out).trim().to_string();
        Ok(DiffRange::Trees { from, to: head })
    }

    /// Every non-merge commit reachable from `HEAD`, oldest first (empty
    /// before the first commit). Merge commits are left out: whatever they
    /// bring in was added by the commits they merge.
    pub(crate) fn history(&self) -> Result<Vec<String>, Failure> {
        if self.head()?.is_none() {
            return Ok(Vec::new());
        }
        let out = self.run(["rev-list", "--reverse", "--no-merges", "HEAD"], "list the commits")?;
        Ok(String::from_utf8_lossy(&out).lines().map(str::to_string).collect())
    }

    /// Every path in the index with its mode and blob id (stage 0 only).
    pub(crate) fn index_files(&self) -> Result<Vec<Change>, Failure> {
        let out = self.run(["ls-files", "--stage", "-z", "--full-name"], "list the files in the index")?;
        let mut files = Vec::new();
        for record in out.split(|&b| b == 0).filter(|r| !r.is_empty()) {
            // "<mode> <oid> <stage>\t<path>"
            let tab = record.iter().position(|&b| b == b'\t').ok_or_else(|| bad_output("ls-files"))?;
            let meta = String::from_utf8_lossy(&record[..tab]);
            let mut fields = meta.split(' ');
            let (Some(mode), Some(oid), Some(stage)) = (fields.next(), fields.next(), fields.next()) else {
                return Err(bad_output("ls-files"));
            };
            if stage != "0" {
                continue;
            }
            let mode = u32::from_str_radix(mode, 8).map_err(|_| bad_output("ls-files"))?;
            files.push(Change { path: record[tab + 1..].to_vec(), mode, oid: oid.to_string(), added: Added::All });
        }
        Ok(files)
    }

    /// The changes in `range`, sorted by path, with their added lines.
    /// Deleted and unmerged paths are left out.
    ///
    /// # Errors
    /// A [`Failure`] when git fails or prints something unexpected.
    pub(crate) fn changes(&self, range: &DiffRange) -> Result<Vec<Change>, Failure> {
        let raw = self.run(diff_args(range, &["--raw", "-z"]), "list the changes")?;
        let entries = parse_raw(&raw)?;
        let needs_patch = entries.iter().any(|e| matches!(e.status, b'M' | b'R' | b'C' | b'T'));
        let patches = match needs_patch {
            true => {
                let args = ["-p", "-U0", "--diff-filter=MRCT", "--src-prefix=a/", "--dst-prefix=b/"];
                parse_patch(&self.run(diff_args(range, &args), "read the changed lines")?)
            }
            false => Vec::new(),
        };
        let mut changes = Vec::new();
        for entry in entries {
            if matches!(entry.status, b'D' | b'U' | b'X') || entry.new_mode == 0 {
                continue;
            }
            let added = match entry.status {
                b'A' => Added::All,
                _ if entry.old_oid == entry.new_oid => Added::Lines(Vec::new()),
                _ => match patches.iter().find(|p| p.path == entry.path) {
                    Some(Patch { binary: false, added, .. }) => Added::Lines(added.clone()),
                    // Binary, or no patch git would show: everything counts.
                    _ => Added::All,
                },
            };
            changes.push(Change { path: entry.path, mode: entry.new_mode, oid: entry.new_oid, added });
        }
        changes.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(changes)
    }

    /// Which of `paths` have a working-tree file holding exactly their
    /// index blob, so that it can be read from disk instead of inflated by
    /// git (which costs about as much CPU as scanning it). A path qualifies
    /// when git's stat cache says it is unmodified (`diff-files`; racily
    /// clean entries show as modified), it is not marked assume-unchanged
    /// or skip-worktree, and no conversion applies: no
    /// `filter`, `text`, `eol`, `ident` or `working-tree-encoding`
    /// attribute and no `core.autocrlf`.
    pub(crate) fn same_in_worktree(&self, paths: &[&[u8]]) -> Result<HashSet<Vec<u8>>, Failure> {
        let mut same = HashSet::new();
        if paths.is_empty() {
            return Ok(same);
        }
        let autocrlf = self.command().args(["config", "--get", "core.autocrlf"]).output().map_err(spawn_error)?;
        if !matches!(String::from_utf8_lossy(&autocrlf.stdout).trim(), "" | "false") {
            return Ok(same);
        }
        let modified: HashSet<Vec<u8>> =
            parse_raw(&self.run(["diff-files", "--raw", "-z"], "compare the index with the working tree")?)?
                .into_iter()
                .map(|e| e.path)
                .collect();
        // diff-files trusts assume-unchanged and skip-worktree entries
        // without looking at the file: those never qualify.
        let flagged: HashSet<Vec<u8>> = self
            .run(["ls-files", "-v", "-z"], "list the index flags")?
            .split(|&b| b == 0)
            .filter(|r| r.len() > 2 && (r[0] == b'S' || r[0].is_ascii_lowercase()))
            .map(|r| r[2..].to_vec())
            .collect();
        let candidates: Vec<&[u8]> =
            paths.iter().copied().filter(|p| !modified.contains(*p) && !flagged.contains(*p)).collect();
        if candidates.is_empty() {
            return Ok(same);
        }
        let mut child = self
            .command()
            .args(["check-attr", "--stdin", "-z", "filter", "text", "eol", "ident", "working-tree-encoding"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(spawn_error)?;
        let mut input = Vec::new();
        for path in &candidates {
            input.extend_from_slice(path);
            input.push(0);
        }
        let mut stdin = child.stdin.take().expect("piped");
        // Written from a thread so a full stdout pipe cannot deadlock us.
        let writer = std::thread::spawn(move || stdin.write_all(&input));
        let out = child.wait_with_output().map_err(spawn_error)?;
        let _ = writer.join();
        if !out.status.success() {
            return Ok(same);
        }
        let mut converted = HashSet::new();
        let fields: Vec<&[u8]> = out.stdout.split(|&b| b == 0).collect();
        for triple in fields.chunks(3) {
            if let [path, _attr, value] = triple {
                if *value != b"unspecified" {
                    converted.insert(path.to_vec());
                }
            }
        }
        same.extend(candidates.into_iter().filter(|p| !converted.contains(*p)).map(<[u8]>::to_vec));
        Ok(same)
    }

    /// Starts a `cat-file --batch` process to read blobs with.
    pub(crate) fn blobs(&self) -> Result<Blobs, Failure> {
        let mut child = self
            .command()
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(spawn_error)?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = BufReader::with_capacity(256 * 1024, child.stdout.take().expect("piped"));
        Ok(Blobs { child, stdin: Some(stdin), stdout })
    }
}

/// The arguments listing the changes of `range`, with `extra` output options.
fn diff_args(range: &DiffRange, extra: &[&str]) -> Vec<String> {
    let common = ["-M", "--no-ext-diff", "--no-textconv", "--no-color", "--ignore-submodules=none"];
    let mut args: Vec<String> = Vec::new();
    match range {
        DiffRange::Staged { base } => {
            args.extend(["diff-index", "--cached"].map(String::from));
            args.extend(common.map(String::from));
            args.extend(extra.iter().map(|s| s.to_string()));
            args.push(base.clone());
        }
        DiffRange::Trees { from, to } => {
            args.extend(["diff-tree", "-r"].map(String::from));
            args.extend(common.map(String::from));
            args.extend(extra.iter().map(|s| s.to_string()));
            args.push(from.clone());
            args.push(to.clone());
        }
        DiffRange::Commit { id } => {
            args.extend(["diff-tree", "-r", "--root", "--no-commit-id"].map(String::from));
            args.extend(common.map(String::from));
            args.extend(extra.iter().map(|s| s.to_string()));
            args.push(id.clone());
        }
    }
    args.push("--".into());
    args
}

/// One entry of `--raw -z` output.
#[derive(Debug)]
struct RawEntry {
    new_mode: u32,
    old_oid: String,
    new_oid: String,
    status: u8,
    path: Vec<u8>,
}

/// Parses `:old_mode new_mode old_oid new_oid status\0path\0[path2\0]`.
fn parse_raw(raw: &[u8]) -> Result<Vec<RawEntry>, Failure> {
    let mut fields = raw.split(|&b| b == 0);
    let mut entries = Vec::new();
    while let Some(meta) = fields.next() {
        if meta.is_empty() {
            continue;
        }
        let meta = std::str::from_utf8(meta).map_err(|_| bad_output("diff --raw"))?;
        let meta = meta.strip_prefix(':').ok_or_else(|| bad_output("diff --raw"))?;
        let parts: Vec<&str> = meta.split(' ').collect();
        let [_, new_mode, old_oid, new_oid, status] = parts[..] else {
            return Err(bad_output("diff --raw"));
        };
        let status = *status.as_bytes().first().ok_or_else(|| bad_output("diff --raw"))?;
        let first = fields.next().ok_or_else(|| bad_output("diff --raw"))?;
        let path = match status {
            // Renames and copies name the source, then the destination.
            b'R' | b'C' => fields.next().ok_or_else(|| bad_output("diff --raw"))?,
            _ => first,
        };
        entries.push(RawEntry {
            new_mode: u32::from_str_radix(new_mode, 8).map_err(|_| bad_output("diff --raw"))?,
            old_oid: old_oid.to_string(),
            new_oid: new_oid.to_string(),
            status,
            path: path.to_vec(),
        });
    }
    Ok(entries)
}

/// What a `-p -U0` patch says about one file.
#[derive(Debug, Default, PartialEq, Eq)]
struct Patch {
    path: Vec<u8>,
    binary: bool,
    added: Vec<Range<u64>>,
}

/// Parses a `-U0` patch into the added line ranges of each new-side path.
/// Hunk bodies are skipped by their counts, so content lines that look like
/// headers (`+++ b/x` added as text) cannot confuse it.
fn parse_patch(text: &[u8]) -> Vec<Patch> {
    let mut patches: Vec<Patch> = Vec::new();
    let mut lines = text.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        if line.starts_with(b"diff --git ") {
            patches.push(Patch::default());
        } else if let Some(rest) = line.strip_prefix(b"+++ ") {
            if let Some(patch) = patches.last_mut() {
                let path = unquote(rest);
                patch.path = path.strip_prefix(b"b/").map(<[u8]>::to_vec).unwrap_or(path);
            }
        } else if let Some(rest) = line.strip_prefix(b"rename to ").or_else(|| line.strip_prefix(b"copy to ")) {
            if let Some(patch) = patches.last_mut() {
                if patch.path.is_empty() {
                    patch.path = unquote(rest);
                }
            }
        } else if line.starts_with(b"Binary files ") || line == b"GIT binary patch" {
            if let Some(patch) = patches.last_mut() {
                patch.binary = true;
                if patch.path.is_empty() {
                    patch.path = binary_path(line);
                }
            }
        } else if line.starts_with(b"@@ ") {
            let Some((old_count, new_start, new_count)) = hunk_header(line) else { continue };
            if let Some(patch) = patches.last_mut() {
                if new_count > 0 {
                    patch.added.push(new_start..new_start + new_count);
                }
            }
            // Skip the body: old_count '-' lines and new_count '+' lines,
            // plus any "\ No newline at end of file" markers.
            let mut left = old_count + new_count;
            while left > 0 {
                match lines.next() {
                    Some(body) if body.starts_with(b"\\") => {}
                    Some(_) => left -= 1,
                    None => break,
                }
            }
            while lines.peek().is_some_and(|l| l.starts_with(b"\\")) {
                lines.next();
            }
        }
    }
    patches
}

/// `@@ -a[,b] +c[,d] @@…` → (b, c, d); counts default to 1.
fn hunk_header(line: &[u8]) -> Option<(u64, u64, u64)> {
    let text = std::str::from_utf8(line.get(3..)?).ok()?;
    let mut parts = text.split(' ');
    let old = parts.next()?.strip_prefix('-')?;
    let new = parts.next()?.strip_prefix('+')?;
    let count = |range: &str| -> Option<(u64, u64)> {
        match range.split_once(',') {
            Some((start, count)) => Some((start.parse().ok()?, count.parse().ok()?)),
            None => Some((range.parse().ok()?, 1)),
        }
    };
    let (_, old_count) = count(old)?;
    let (new_start, new_count) = count(new)?;
    Some((old_count, new_start, new_count))
}

/// The new path of "Binary files a/x and b/y differ" (best effort; the raw
/// listing is what matters, this only pairs the patch with it).
fn binary_path(line: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(line);
    let Some(rest) = text.strip_suffix(" differ") else { return Vec::new() };
    match rest.rfind(" and b/") {
        Some(i) => rest.as_bytes()[i + 7..].to_vec(),
        None => match rest.rfind(" and \"b/") {
            Some(i) => {
                let quoted = unquote(&rest.as_bytes()[i + 5..]);
                quoted.strip_prefix(b"b/").map(<[u8]>::to_vec).unwrap_or(quoted)
            }
            None => Vec::new(),
        },
    }
}

/// Undoes git's C-style path quoting (`"a\"b\\c\303\251"`), and drops the
/// tab git appends after unquoted paths that contain a space.
fn unquote(field: &[u8]) -> Vec<u8> {
    let field = field.strip_suffix(b"\t").unwrap_or(field);
    let Some(inner) = field.strip_prefix(b"\"").and_then(|f| f.strip_suffix(b"\"")) else {
        return field.to_vec();
    };
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        let b = inner[i];
        i += 1;
        if b != b'\\' || i >= inner.len() {
            out.push(b);
            continue;
        }
        let e = inner[i];
        i += 1;
        match e {
            b'a' => out.push(7),
            b'b' => out.push(8),
            b't' => out.push(b'\t'),
            b'n' => out.push(b'\n'),
            b'v' => out.push(11),
            b'f' => out.push(12),
            b'r' => out.push(b'\r'),
            b'0'..=b'7' => {
                let mut value = u32::from(e - b'0');
                for _ in 0..2 {
                    match inner.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push(value as u8);
            }
            other => out.push(other),
        }
    }
    out
}

/// A reader over one blob's bytes in the `cat-file` output.
pub(crate) type BlobReader<'a> = io::Take<&'a mut BufReader<ChildStdout>>;

/// A running `git cat-file --batch`.
pub(crate) struct Blobs {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Blobs {
    /// Asks for blob `oid` and returns its size and a reader over exactly
    /// its bytes, or `None` when git has no such object. The reader must be
    /// read to its end (see [`Blobs::finish`]) before the next call.
    ///
    /// # Errors
    /// An I/O error when the pipe to git breaks or the reply is malformed.
    pub(crate) fn open(&mut self, oid: &str) -> io::Result<Option<(u64, BlobReader<'_>)>> {
        let stdin = self.stdin.as_mut().ok_or_else(|| io::Error::other("git cat-file is closed"))?;
        writeln!(stdin, "{oid}")?;
        stdin.flush()?;
        let mut header = String::new();
        self.stdout.read_line(&mut header)?;
        let header = header.trim_end();
        if header.ends_with(" missing") || header.is_empty() {
            return Ok(None);
        }
        // "<oid> <type> <size>"
        let size = header
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or_else(|| io::Error::other("git cat-file printed an unexpected header"))?;
        Ok(Some((size, (&mut self.stdout).take(size))))
    }

    /// Skips what is left of the current blob and its trailing newline.
    pub(crate) fn finish(&mut self, left: u64) -> io::Result<()> {
        io::copy(&mut (&mut self.stdout).take(left + 1), &mut io::sink())?;
        Ok(())
    }
}

impl Drop for Blobs {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// A git command run in `dir`, with [`BASE_ARGS`].
fn command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.args(BASE_ARGS).current_dir(dir);
    cmd
}

/// Runs git in `dir` and returns stdout; on failure, git's first error line.
fn run<I, S>(dir: &Path, args: I, what: &str) -> Result<Vec<u8>, Failure>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = command(dir).args(args).stdin(Stdio::null()).output().map_err(spawn_error)?;
    if out.status.success() {
        return Ok(out.stdout);
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let reason = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("no message").trim();
    let reason = reason.strip_prefix("fatal: ").unwrap_or(reason);
    Err(Failure::new(format!("cannot {what}: git: {reason}")))
}

fn spawn_error(err: io::Error) -> Failure {
    Failure::new(format!("cannot run git: {err}"))
}

fn bad_output(what: &str) -> Failure {
    Failure::new(format!("git {what} printed something unexpected"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquotes_c_style_paths() {
        assert_eq!(unquote(br#""b/q\"uo\\te.txt""#), br#"b/q"uo\te.txt"#);
        assert_eq!(unquote(b"b/x y.txt\t"), b"b/x y.txt");
        assert_eq!(unquote(br#""b/\303\251\tx""#), "b/é\tx".as_bytes());
    }

    #[test]
    fn patches_give_added_ranges_and_skip_bodies() {
        let patch = b"diff --git a/a b/a\nindex 1..2 100644\n--- a/a\n+++ b/a\n@@ -1,0 +2,2 @@ ctx\n+++ b/evil\n+x\n@@ -5 +6 @@\n-old\n+new\n\\ No newline at end of file\ndiff --git a/c b/d\nsimilarity index 100%\nrename from c\nrename to d\ndiff --git a/img b/img\nindex 1..2 100644\nBinary files a/img and b/img differ\n";
        let patches = parse_patch(patch);
        assert_eq!(patches.len(), 3);
        assert_eq!(patches[0], Patch { path: b"a".to_vec(), binary: false, added: vec![2..4, 6..7] });
        assert_eq!(patches[1].path, b"d");
        assert!(patches[1].added.is_empty());
        assert_eq!(patches[2], Patch { path: b"img".to_vec(), binary: true, added: vec![] });
    }

    #[test]
    fn added_lines_are_found_by_range() {
        let added = Added::Lines(vec![2..4, 10..11]);
        assert!(!added.touches(1, 1));
        assert!(added.touches(3, 3));
        assert!(!added.touches(4, 9));
        assert!(added.touches(9, 12));
        assert!(!added.touches(11, 20));
        assert!(Added::All.touches(1, 1));
    }

    #[test]
    fn raw_entries_take_the_new_path_of_renames() {
        let raw = b":100644 100644 aaa bbb R085\0old name\0new name\0:000000 100644 000 ccc A\0n\xc3\xa9w\0";
        let entries = parse_raw(raw).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].path, b"new name");
        assert_eq!(entries[0].status, b'R');
        assert_eq!(entries[1].path, "néw".as_bytes());
        assert_eq!(entries[1].new_mode, 0o100644);
    }
}

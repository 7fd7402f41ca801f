//! `phimask hook install | uninstall`: a plain git pre-commit hook.
//!
//! The hook is a short POSIX shell script that runs `phimask scan
//! --staged`. It records the absolute path of the phimask that installed
//! it (so it works from GUIs and IDEs whose PATH lacks `~/.cargo/bin`) and
//! falls back to `phimask` on PATH when that binary has moved. If neither
//! is found it fails the commit with a message: a missing scanner must not
//! look like a clean scan.
//!
//! The hooks directory is git's own answer (`git rev-parse --git-path
//! hooks`), so `core.hooksPath` and worktrees are respected. A hook that
//! phimask did not write is never replaced without `--force`, and even then
//! it is kept beside it as `pre-commit.phimask-backup` (which `uninstall`
//! puts back).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args as ClapArgs, Subcommand};

use crate::git::Repo;
use crate::{print_note, Failure, Outcome};

/// The line that marks a hook as phimask's.
const SIGNATURE: &str = "# phimask-managed pre-commit hook";
const BACKUP: &str = "pre-commit.phimask-backup";

/// Arguments of `phimask hook`.
#[derive(Debug, ClapArgs)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: HookCommand,
}

#[derive(Debug, Subcommand)]
enum HookCommand {
    /// Write a git pre-commit hook that runs `phimask scan --staged`
    /// (respects core.hooksPath). Refuses to replace a hook phimask did not
    /// write, unless --force (which keeps it as pre-commit.phimask-backup).
    Install {
        /// Replace an existing pre-commit hook that phimask did not write.
        #[arg(long)]
        force: bool,
    },
    /// Remove the pre-commit hook phimask wrote (and put back a hook that
    /// `install --force` set aside). Refuses to remove any other hook.
    Uninstall,
}

/// Runs `phimask hook`.
///
/// # Errors
/// A [`Failure`] when not in a repository, the hook is someone else's, or
/// the hooks directory cannot be written.
pub(crate) fn run(args: Args) -> Result<Outcome, Failure> {
    let cwd = std::env::current_dir().map_err(|e| Failure::new(format!("cannot read the working directory: {e}")))?;
    let repo = Repo::discover(&cwd)?;
    let dir = hooks_dir(&repo)?;
    let hook = dir.join("pre-commit");
    match args.command {
        HookCommand::Install { force } => install(&dir, &hook, force),
        HookCommand::Uninstall => uninstall(&dir, &hook),
    }
}

/// The hooks directory git uses for this repository.
fn hooks_dir(repo: &Repo) -> Result<PathBuf, Failure> {
    let out = repo.run(["rev-parse", "--git-path", "hooks"], "find the hooks directory")?;
    let text = String::from_utf8(out).map_err(|_| Failure::new("git printed a hooks path that is not UTF-8"))?;
    Ok(repo.top.join(text.trim_end_matches(['\n', '\r'])))
}

fn is_ours(hook: &Path) -> bool {
    fs::read_to_string(hook).is_ok_and(|text| text.lines().any(|line| line == SIGNATURE))
}

fn install(dir: &Path, hook: &Path, force: bool) -> Result<Outcome, Failure> {
    let fail = |what: &str, e: std::io::Error| Failure::new(format!("{}: cannot {what}: {e}", hook.display()));
    let exists = fs::symlink_metadata(hook).is_ok();
    if exists && !is_ours(hook) {
        if !force {
            return Err(Failure::new(format!(
                "{}: a pre-commit hook that phimask did not write is already there; not replacing it (add 'phimask scan --staged' to it yourself, or run 'phimask hook install --force' to replace it, keeping it as {BACKUP})",
                hook.display()
            )));
        }
        let backup = dir.join(BACKUP);
        fs::rename(hook, &backup).map_err(|e| fail("set the old hook aside", e))?;
        print_note(format_args!("kept the previous hook as {}", backup.display()));
    }
    fs::create_dir_all(dir).map_err(|e| fail("create the hooks directory", e))?;
    let exe = std::env::current_exe().map_err(|e| Failure::new(format!("cannot find the running phimask: {e}")))?;
    let script = script(&exe);
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| fail("write the hook", e))?;
    tmp.write_all(script.as_bytes()).map_err(|e| fail("write the hook", e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o755))
            .map_err(|e| fail("make the hook executable", e))?;
    }
    tmp.persist(hook).map_err(|e| fail("write the hook", e.error))?;
    let _ = writeln!(
        std::io::stderr().lock(),
        "phimask: installed the pre-commit hook {} (runs {} scan --staged)",
        hook.display(),
        exe.display()
    );
    Ok(Outcome::Clean)
}

fn uninstall(dir: &Path, hook: &Path) -> Result<Outcome, Failure> {
    if fs::symlink_metadata(hook).is_err() {
        print_note(format_args!("{}: no pre-commit hook installed; nothing to do", hook.display()));
        return Ok(Outcome::Clean);
    }
    if !is_ours(hook) {
        return Err(Failure::new(format!(
            "{}: this pre-commit hook was not written by phimask; not removing it",
            hook.display()
        )));
    }
    fs::remove_file(hook).map_err(|e| Failure::new(format!("{}: cannot remove: {e}", hook.display())))?;
    let backup = dir.join(BACKUP);
    let mut restored = false;
    if backup.exists() {
        fs::rename(&backup, hook)
            .map_err(|e| Failure::new(format!("{}: cannot restore the previous hook: {e}", backup.display())))?;
        restored = true;
    }
    let _ = writeln!(
        std::io::stderr().lock(),
        "phimask: removed the pre-commit hook {}{}",
        hook.display(),
        if restored { " and restored the previous one" } else { "" }
    );
    Ok(Outcome::Clean)
}

/// The hook script for the phimask at `exe`.
fn script(exe: &Path) -> String {
    let quoted = format!("'{}'", exe.to_string_lossy().replace('\'', r"'\''"));
    format!(
        r#"#!/bin/sh
{SIGNATURE}
# Blocks commits that add PHI: runs `phimask scan --staged` on what is
# about to be committed. Written by `phimask hook install`; remove it with
# `phimask hook uninstall`. To skip it once: git commit --no-verify
phimask={quoted}
if [ ! -x "$phimask" ]; then
  if command -v phimask >/dev/null 2>&1; then
    phimask=phimask
  else
    echo "phimask pre-commit hook: phimask not found at $phimask or on PATH; install it (or commit with --no-verify to skip the check)" >&2
    exit 2
  fi
fi
exec "$phimask" scan --staged
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_quote_the_binary_path() {
        let text = script(Path::new("/opt/it's here/phimask"));
        assert!(text.contains(r"phimask='/opt/it'\''s here/phimask'"), "{text}");
        assert!(text.lines().any(|l| l == SIGNATURE));
        assert!(text.ends_with("exec \"$phimask\" scan --staged\n"));
    }
}

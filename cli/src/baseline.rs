//! Baselines: findings a team has looked at and accepted, so a scan reports
//! only new ones.
//!
//! Secret scanners store a hash of each accepted secret. For PHI that is a
//! leak: a 9-digit SSN behind a plain SHA-256 falls to 10^9 guesses in
//! minutes. So a fingerprint here is HMAC-SHA-256 under a per-repository
//! key of (path, detector, normalized value) — never the value, never an
//! unkeyed hash, and never a line number (lines churn, and line numbers in a
//! shared file make merge conflicts). The key is derived for this purpose
//! only (`Key::derive(b"baseline")`), so the same key file can serve other
//! keyed operators without the fingerprints revealing anything about them.
//!
//! The key comes from `PHIMASK_BASELINE_KEY` (hex or base64; CI sets it
//! from a secret), else from `.git/phimask-key`, which `baseline create`
//! makes with mode 0600 on first use. The file records the key id (32 bits
//! of a MAC, safe to publish) so a scan with another key fails loudly
//! instead of reporting every accepted finding as new.
//!
//! The file is sorted, stable JSON without timestamps, so it diffs cleanly:
//!
//! ```json
//! {
//!   "version": 1,
//!   "key_id": "1a2b3c4d",
//!   "findings": [
//!     { "path": "tests/fixtures/visit.txt", "detector": "ssn-formatted", "entity": "SSN", "fingerprint": "…" }
//!   ]
//! }
//! ```

use std::collections::{BTreeSet, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use phimask::{DerivedKey, Key};
use serde::{Deserialize, Serialize};

use crate::git::Repo;
use crate::Failure;

/// The default baseline file, at the top of the work tree.
pub(crate) const FILE_NAME: &str = ".phimask-baseline.json";
/// The environment variable holding the key (hex or base64).
pub(crate) const KEY_ENV: &str = "PHIMASK_BASELINE_KEY";
/// The key file inside the git directory.
pub(crate) const KEY_FILE: &str = "phimask-key";
/// The version of the file's shape.
const VERSION: u32 = 1;
/// Hex characters kept of each fingerprint (128 bits).
const FINGERPRINT_HEX: usize = 32;

/// One accepted finding, as written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Entry {
    pub(crate) path: String,
    pub(crate) detector: String,
    pub(crate) entity: String,
    pub(crate) fingerprint: String,
}

/// The file as written.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    key_id: String,
    findings: Vec<Entry>,
}

/// The key fingerprints are made with, and where it came from.
pub(crate) struct BaselineKey {
    key: Key,
    mac: DerivedKey,
    /// `PHIMASK_BASELINE_KEY` or the key file's path, for messages.
    pub(crate) source: String,
}

impl BaselineKey {
    /// The key in force: `PHIMASK_BASELINE_KEY` when set, else the key file
    /// in the repository's git directory. With `create`, a missing key file
    /// is created (mode 0600) and a note says so.
    ///
    /// # Errors
    /// A [`Failure`] when the key is invalid, missing (and not to be
    /// created), or cannot be written. Messages never hold key bytes.
    pub(crate) fn load(repo: Option<&Repo>, create: bool) -> Result<BaselineKey, Failure> {
        if std::env::var_os(KEY_ENV).is_some() {
            return Ok(BaselineKey::new(Key::from_env(KEY_ENV)?, KEY_ENV.to_string()));
        }
        let Some(repo) = repo else {
            return Err(Failure::new(format!(
                "a baseline needs a key: set {KEY_ENV} (hex or base64) or run inside a git repository"
            )));
        };
        let path = repo.common_dir.join(KEY_FILE);
        let source = path.display().to_string();
        if path.exists() {
            return Ok(BaselineKey::new(Key::from_file(&path)?, source));
        }
        if !create {
            return Err(Failure::new(format!(
                "no baseline key: {source} does not exist and {KEY_ENV} is not set (copy the key the baseline was made with, or run 'phimask baseline create')"
            )));
        }
        let key = Key::write_new(&path)?;
        crate::print_note(format_args!(
            "created the baseline key {source} (key id {}); keep it out of the repository",
            key.key_id()
        ));
        Ok(BaselineKey::new(key, source))
    }

    fn new(key: Key, source: String) -> BaselineKey {
        let mac = key.derive(b"baseline");
        BaselineKey { key, mac, source }
    }

    /// The key's public id.
    pub(crate) fn key_id(&self) -> &str {
        self.key.key_id()
    }

    /// The fingerprint of `value` found by `detector` in `path`.
    pub(crate) fn fingerprint(&self, path: &str, detector: &str, value: &[u8]) -> String {
        let normalized = normalize(value);
        let digest = self.mac.mac(&[b"phimask baseline v1", path.as_bytes(), detector.as_bytes(), &normalized]);
        let mut hex = String::with_capacity(64);
        for b in digest {
            hex.push_str(&format!("{b:02x}"));
        }
        hex.truncate(FINGERPRINT_HEX);
        hex
    }
}

/// Lower-cased letters and digits only, so `123-45-6789` and
/// `123 45 6789` (or `J. Smith` and `j smith`) are one accepted value. A
/// value with no letters or digits is kept as it is.
fn normalize(value: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(value);
    let kept: String = text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    match kept.is_empty() {
        true => text.into_owned().into_bytes(),
        false => kept.into_bytes(),
    }
}

/// A loaded baseline: the set of accepted fingerprints and the key to
/// compute new ones with.
pub(crate) struct Accepted {
    key: BaselineKey,
    fingerprints: HashSet<String>,
    /// The baseline file's path relative to the top, which scans skip.
    pub(crate) path: Option<String>,
}

impl std::fmt::Debug for Accepted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accepted").field("findings", &self.fingerprints.len()).finish_non_exhaustive()
    }
}

impl Accepted {
    /// Reads the baseline at `path` and the key it needs.
    ///
    /// # Errors
    /// A [`Failure`] naming the file when it cannot be read or parsed, or
    /// when the key in force is not the one it was made with.
    pub(crate) fn load(path: &Path, repo: Option<&Repo>) -> Result<Accepted, Failure> {
        let fail = |msg: String| Failure::new(format!("{}: {msg}", path.display()));
        let text = std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read baseline: {e}")))?;
        let file: File = serde_json::from_str(&text)
            .map_err(|e| fail(format!("not a phimask baseline: {}", phimask::without_values(&e.to_string()))))?;
        if file.version != VERSION {
            return Err(fail(format!("baseline version {} is not supported (expected {VERSION})", file.version)));
        }
        let key = BaselineKey::load(repo, false)?;
        if key.key_id() != file.key_id {
            return Err(fail(format!(
                "made with key id {} but the key in force ({}) has id {}; use the same key ({KEY_ENV} in CI) or recreate the baseline",
                file.key_id,
                key.source,
                key.key_id()
            )));
        }
        let fingerprints = file.findings.into_iter().map(|e| e.fingerprint).collect();
        let relative = repo.and_then(|r| {
            let absolute = crate::config::normalize(&std::env::current_dir().ok()?.join(path));
            Some(absolute.strip_prefix(&r.top).ok()?.to_string_lossy().into_owned())
        });
        Ok(Accepted { key, fingerprints, path: relative })
    }

    /// Whether a finding is accepted.
    pub(crate) fn contains(&self, path: &str, detector: &str, value: &[u8]) -> bool {
        self.fingerprints.contains(&self.key.fingerprint(path, detector, value))
    }
}

/// Writes `entries` (sorted and de-duplicated here) to `path` atomically.
///
/// # Errors
/// A [`Failure`] naming the file when it cannot be written.
pub(crate) fn write(path: &Path, key: &BaselineKey, entries: BTreeSet<Entry>) -> Result<usize, Failure> {
    let count = entries.len();
    let file = File { version: VERSION, key_id: key.key_id().to_string(), findings: entries.into_iter().collect() };
    let mut text = serde_json::to_string_pretty(&file).map_err(|e| Failure::new(e.to_string()))?;
    text.push('\n');
    let fail = |e: std::io::Error| Failure::new(format!("{}: cannot write baseline: {e}", path.display()));
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(fail)?;
    tmp.write_all(text.as_bytes()).map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixed key for tests: 32 distinct bytes, a different key per `seed`.
    fn test_key(seed: u8) -> Vec<u8> {
        (0..32u8).map(|i| i.wrapping_mul(73).wrapping_add(seed) ^ 0x5c).collect()
    }

    #[test]
    fn fingerprints_are_keyed_and_normalized() {
        let a = BaselineKey::new(Key::from_bytes(test_key(1)).unwrap(), "test".into());
        let b = BaselineKey::new(Key::from_bytes(test_key(2)).unwrap(), "test".into());
        let fp = a.fingerprint("x.txt", "ssn", b"123-45-6789");
        assert_eq!(fp.len(), FINGERPRINT_HEX);
        assert_eq!(fp, a.fingerprint("x.txt", "ssn", b"123 45 6789"));
        assert_ne!(fp, b.fingerprint("x.txt", "ssn", b"123-45-6789"));
        assert_ne!(fp, a.fingerprint("y.txt", "ssn", b"123-45-6789"));
        assert_ne!(fp, a.fingerprint("x.txt", "other", b"123-45-6789"));
        assert_eq!(normalize("J. Smíth".as_bytes()), "jsmíth".as_bytes());
    }
}

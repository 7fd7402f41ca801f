//! `.phimask.toml`: per-project settings, found upward from the working
//! directory or named with `--config`.
//!
//! Raw and checked config are different types, as in the core's pattern
//! files: [`RawConfig`] mirrors the TOML one-to-one with
//! `deny_unknown_fields` (a typo is an error, not a silently ignored key),
//! and [`Config::load`] checks it into resolved paths, parsed entities and a
//! compiled exclude [`GlobSet`]. Every error names the config file.
//!
//! ```toml
//! min_score = 0.6
//! entities = ["SSN", "MRN"]          # keep only these
//! exclude_entities = ["URL"]
//! disable_detectors = ["zip-plain"]
//! patterns = ["phimask/acme.toml"]   # relative to this file
//!
//! [paths]
//! exclude = ["fixtures/**", "*.lock"] # relative to this file
//!
//! [allow]
//! values = ["555-0100"]               # exact values never reported
//! regexes = ['.*@example\.(com|org)'] # each must match the whole value
//! ```

use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use phimask::Entity;
use serde::Deserialize;

use crate::allow::ValueAllow;
use crate::Failure;

/// The file name searched for from the working directory upward.
pub(crate) const FILE_NAME: &str = ".phimask.toml";

/// Which findings are reported (`--findings`, config `findings`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Findings {
    /// Identifiers (an SSN, an MRN…) always; weak ones (names, dates,
    /// phone numbers, e-mail addresses, URLs, IP and street addresses) only
    /// in a record about a person: beside an identifier, a patient label,
    /// or identifiers of three kinds. Images are not reported; DICOM files are.
    Evidence,
    /// Every finding, and every image file.
    All,
}

/// The config file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    min_score: Option<f32>,
    findings: Option<Findings>,
    entities: Option<Vec<String>>,
    exclude_entities: Option<Vec<String>>,
    #[serde(default)]
    disable_detectors: Vec<String>,
    #[serde(default)]
    patterns: Vec<PathBuf>,
    #[serde(default)]
    paths: RawPaths,
    #[serde(default)]
    allow: RawAllow,
}

/// The `[allow]` table as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllow {
    #[serde(default)]
    values: Vec<String>,
    #[serde(default)]
    regexes: Vec<String>,
}

/// The `[paths]` table as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPaths {
    #[serde(default)]
    exclude: Vec<String>,
}

/// A checked config file.
#[derive(Debug)]
pub(crate) struct Config {
    /// The file it came from.
    pub(crate) path: PathBuf,
    /// The absolute directory relative paths in the file are resolved against.
    pub(crate) dir: PathBuf,
    pub(crate) min_score: Option<f32>,
    /// `findings = "evidence" | "all"`.
    pub(crate) findings: Option<Findings>,
    pub(crate) entities: Option<Vec<Entity>>,
    pub(crate) exclude_entities: Option<Vec<Entity>>,
    pub(crate) disable_detectors: Vec<String>,
    /// Pattern files, resolved against [`Config::dir`].
    pub(crate) patterns: Vec<PathBuf>,
    /// `[paths] exclude`, matched against paths relative to [`Config::dir`].
    pub(crate) exclude: GlobSet,
    /// `[allow] values` and `regexes`.
    pub(crate) allow: ValueAllow,
}

impl Config {
    /// Finds `.phimask.toml` in `start` or the nearest ancestor holding one.
    pub(crate) fn discover(start: &Path) -> Option<PathBuf> {
        start.ancestors().map(|dir| dir.join(FILE_NAME)).find(|candidate| candidate.is_file())
    }

    /// Reads and checks the config at `path` (relative to `cwd` if relative).
    ///
    /// # Errors
    /// A [`Failure`] naming the file (and line, for TOML errors) when it
    /// cannot be read, is not valid TOML, has an unknown key, an unknown
    /// entity label, an out-of-range score or a bad glob.
    pub(crate) fn load(path: &Path, cwd: &Path) -> Result<Config, Failure> {
        let fail = |msg: String| Failure::new(format!("{}: {msg}", path.display()));
        let text = std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read config file: {e}")))?;
        let raw: RawConfig = toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text.as_bytes()[..s.start.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1);
            match line {
                Some(line) => {
                    Failure::new(format!("{}:{line}: {}", path.display(), phimask::without_values(e.message())))
                }
                None => fail(phimask::without_values(e.message())),
            }
        })?;
        let dir = normalize(&cwd.join(path)).parent().map(Path::to_path_buf).unwrap_or_else(|| cwd.to_path_buf());
        if let Some(score) = raw.min_score {
            if !(0.0..=1.0).contains(&score) {
                return Err(fail("field 'min_score': must be between 0.0 and 1.0".into()));
            }
        }
        let entities = raw
            .entities
            .map(|labels| parse_entities(&labels))
            .transpose()
            .map_err(|e| fail(format!("field 'entities': {e}")))?;
        let exclude_entities = raw
            .exclude_entities
            .map(|labels| parse_entities(&labels))
            .transpose()
            .map_err(|e| fail(format!("field 'exclude_entities': {e}")))?;
        let mut globs = GlobSetBuilder::new();
        for glob in &raw.paths.exclude {
            let glob = Glob::new(glob).map_err(|e| fail(format!("field 'paths.exclude': {e}")))?;
            globs.add(glob);
        }
        let exclude = globs.build().map_err(|e| fail(format!("field 'paths.exclude': {e}")))?;
        let allow = ValueAllow::new(raw.allow.values, &raw.allow.regexes)
            .map_err(|e| fail(format!("field 'allow.regexes': {e}")))?;
        Ok(Config {
            path: path.to_path_buf(),
            patterns: raw.patterns.iter().map(|p| dir.join(p)).collect(),
            dir,
            min_score: raw.min_score,
            findings: raw.findings,
            entities,
            exclude_entities,
            disable_detectors: raw.disable_detectors,
            exclude,
            allow,
        })
    }

    /// Whether `path` (relative to `cwd`, or absolute) matches `[paths] exclude`.
    pub(crate) fn excludes(&self, path: &Path, cwd: &Path) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        let absolute = normalize(&cwd.join(path));
        match absolute.strip_prefix(&self.dir) {
            Ok(relative) => self.exclude.is_match(relative),
            Err(_) => false,
        }
    }
}

/// Parses entity labels (`"SSN"`, `"name"`), naming the first unknown one.
pub(crate) fn parse_entities<S: AsRef<str>>(labels: &[S]) -> Result<Vec<Entity>, String> {
    labels.iter().map(|label| parse_entity(label.as_ref())).collect()
}

/// Parses one entity label, naming it when it is unknown.
pub(crate) fn parse_entity(label: &str) -> Result<Entity, String> {
    label.parse::<Entity>().map_err(|_| {
        let known: Vec<&str> = Entity::ALL.iter().map(|e| e.as_str()).collect();
        format!("unknown entity '{}' (known: {})", label.trim(), known.join(", "))
    })
}

/// Removes `.` and resolves `..` lexically (no file-system access, so
/// symlinks are not followed).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert_eq!(normalize(Path::new("./x.txt")), PathBuf::from("x.txt"));
    }

    #[test]
    fn entity_errors_name_the_label() {
        let err = parse_entities(&["SSN", "SNN"]).unwrap_err();
        assert!(err.starts_with("unknown entity 'SNN'"), "{err}");
        assert_eq!(parse_entities(&["ssn", " Name "]).unwrap(), [Entity::Ssn, Entity::Name]);
    }
}

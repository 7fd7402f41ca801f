//! Engine options shared by every subcommand, and the one place that turns
//! them (plus `.phimask.toml`) into a core [`Engine`].
//!
//! Precedence is simple and total: a command-line flag replaces the config
//! value of the same name; pattern files and disabled detectors add up
//! (config first, then flags). Defaults are never restated here: an option
//! nobody set is simply not passed to the builder, so the core's `Default`
//! stays the only source of defaults.

use std::path::{Path, PathBuf};

use clap::Args as ClapArgs;
use phimask::{Engine, Entity};

use crate::config::{self, Config, Findings};
use crate::Failure;

/// Options that choose detectors and thresholds. Each replaces the config
/// value of the same name; `--patterns` and `--disable-detector` add to it.
#[derive(Debug, Default, ClapArgs)]
pub(crate) struct EngineArgs {
    /// Report only findings scoring at least this (0.0–1.0).
    #[arg(long, value_name = "SCORE")]
    pub(crate) min_score: Option<f32>,

    /// Keep only detectors of these entities (comma-separated, e.g. SSN,NAME).
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = config::parse_entity)]
    pub(crate) entities: Option<Vec<Entity>>,

    /// Drop detectors of these entities (comma-separated).
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = config::parse_entity)]
    pub(crate) exclude_entities: Option<Vec<Entity>>,

    /// Add detectors from a pattern file (repeatable; added to the config's
    /// `patterns`). Their `match`/`no_match` examples are checked first.
    #[arg(long = "patterns", value_name = "FILE")]
    pub(crate) patterns: Vec<PathBuf>,

    /// Turn one detector off by id (repeatable; see `phimask detectors`).
    #[arg(long = "disable-detector", value_name = "ID")]
    pub(crate) disable_detectors: Vec<String>,

    /// Which findings to report: `evidence` reports weak identifiers
    /// (names, dates, phone numbers, e-mail, URLs, IP and street addresses)
    /// only in a record about a person, `all` reports every finding and
    /// image file. Default: `evidence` for scan and baseline, `all` for mask.
    #[arg(long, value_enum, value_name = "WHICH")]
    pub(crate) findings: Option<Findings>,

    /// Read settings from this file instead of the nearest `.phimask.toml`.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub(crate) config: Option<PathBuf>,

    /// Ignore `.phimask.toml` files.
    #[arg(long)]
    pub(crate) no_config: bool,
}

impl EngineArgs {
    /// Loads the config file these options point at: `--config`, else the
    /// nearest `.phimask.toml` from `cwd` upward, unless `--no-config`.
    ///
    /// # Errors
    /// A [`Failure`] naming the file when it is missing or invalid.
    pub(crate) fn load_config(&self, cwd: &Path) -> Result<Option<Config>, Failure> {
        if self.no_config {
            return Ok(None);
        }
        let path = match &self.config {
            Some(path) => path.clone(),
            None => match Config::discover(cwd) {
                Some(path) => path,
                None => return Ok(None),
            },
        };
        Config::load(&path, cwd).map(Some)
    }

    /// Builds the engine from these options over `config`. When pattern
    /// files are in play their examples are verified too, so a user detector
    /// that misses its own `match` examples fails loudly instead of scanning
    /// quietly.
    ///
    /// # Errors
    /// The core's error (naming file, line, detector id and field) for a bad
    /// pattern file, unknown detector id, out-of-range score or failing example.
    pub(crate) fn build(&self, config: Option<&Config>, default: Findings) -> Result<Engine, Failure> {
        let mut builder = Engine::builder();
        builder.person_evidence(self.findings(config, default) == Findings::Evidence);
        let mut pattern_files: Vec<&Path> = Vec::new();
        if let Some(config) = config {
            pattern_files.extend(config.patterns.iter().map(PathBuf::as_path));
            for id in config.disable_detectors.iter().filter(|id| !FileKinds::ID.contains(&id.as_str())) {
                builder.disable_detector(id);
            }
        }
        pattern_files.extend(self.patterns.iter().map(PathBuf::as_path));
        for path in &pattern_files {
            builder.patterns_file(path);
        }
        for id in self.disable_detectors.iter().filter(|id| !FileKinds::ID.contains(&id.as_str())) {
            builder.disable_detector(id);
        }
        let min_score = self.min_score.or(config.and_then(|c| c.min_score));
        if let Some(score) = min_score {
            builder.min_score(score);
        }
        let entities = self.entities.as_ref().or(config.and_then(|c| c.entities.as_ref()));
        if let Some(entities) = entities {
            builder.entities(entities.iter().copied());
        }
        let exclude = self.exclude_entities.as_ref().or(config.and_then(|c| c.exclude_entities.as_ref()));
        if let Some(exclude) = exclude {
            builder.exclude_entities(exclude.iter().copied());
        }
        let engine = builder.build().map_err(|e| in_config(e, config))?;
        if !pattern_files.is_empty() {
            verify_examples(&pattern_files)?;
        }
        Ok(engine)
    }
}

/// Which file kinds (`filekind`) are reported. They are not core
/// detectors, but the same options turn them off: `--disable-detector
/// file-image`, or entity filters that leave out `PHOTO`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FileKinds {
    pub(crate) image: bool,
    pub(crate) dicom: bool,
}

impl FileKinds {
    /// The pseudo-detector ids.
    pub(crate) const ID: [&'static str; 2] = ["file-image", "file-dicom"];

    /// Whether `kind` is reported.
    pub(crate) fn reports(self, kind: crate::filekind::Kind) -> bool {
        match kind {
            crate::filekind::Kind::Image(_) => self.image,
            crate::filekind::Kind::Dicom => self.dicom,
        }
    }
}

impl EngineArgs {
    /// What these options and `config` report, `default` when neither says.
    pub(crate) fn findings(&self, config: Option<&Config>, default: Findings) -> Findings {
        self.findings.or(config.and_then(|c| c.findings)).unwrap_or(default)
    }

    /// Which file kinds these options and `config` report: DICOM files
    /// always (a medical image is PHI by kind), other images only when every
    /// finding is reported (a logo is not a face).
    pub(crate) fn file_kinds(&self, config: Option<&Config>, default: Findings) -> FileKinds {
        let disabled = |id: &str| {
            self.disable_detectors.iter().chain(config.iter().flat_map(|c| c.disable_detectors.iter())).any(|d| d == id)
        };
        let entities = self.entities.as_ref().or(config.and_then(|c| c.entities.as_ref()));
        let exclude = self.exclude_entities.as_ref().or(config.and_then(|c| c.exclude_entities.as_ref()));
        let photo =
            entities.is_none_or(|e| e.contains(&Entity::Photo)) && exclude.is_none_or(|e| !e.contains(&Entity::Photo));
        let all = self.findings(config, default) == Findings::All;
        FileKinds { image: photo && all && !disabled("file-image"), dicom: photo && !disabled("file-dicom") }
    }
}

/// Runs the `match`/`no_match` examples of the user's pattern files through
/// an engine of those files alone, with default options.
///
/// Alone, so that a failure is always about the user's detectors (the
/// embedded pack is checked by the core's own tests, and its examples may
/// legitimately fail under a run's `--min-score`); with default options, so
/// that whether a pattern file is valid does not depend on the flags of one
/// run.
fn verify_examples(files: &[&Path]) -> Result<(), Failure> {
    let mut builder = Engine::builder();
    builder.default_patterns(false);
    for path in files {
        builder.patterns_file(path);
    }
    builder.build()?.verify_examples()?;
    Ok(())
}

/// Core errors that carry no file of their own (an unknown detector id from
/// `disable_detectors`, say) may stem from the config file: say which one
/// was in force.
fn in_config(err: phimask::Error, config: Option<&Config>) -> Failure {
    match (err.path(), config) {
        (None, Some(config)) => Failure::new(format!("{err} (config in use: {})", config.path.display())),
        _ => Failure::from(err),
    }
}

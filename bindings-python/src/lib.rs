//! Python bindings for phimask: the native module `phimask._native` behind
//! the curated `phimask` package (`python/phimask/`).
//!
//! Thin by design: each method converts its arguments, makes one core call
//! and converts the result; defaults live in the core. The trade-offs made
//! here, and only here:
//!
//! - Offsets: the core reports byte offsets; [`Finding`] carries code-point
//!   offsets (Python `str` indices), converted by the core's
//!   [`convert_offsets`] in one pass per text.
//! - The GIL: `scan_batch`, `mask_batch`, the file drivers and scans of long
//!   texts run with it released (`Python::detach`), the batches on rayon's
//!   pool (one thread per core). A short single `scan` keeps it: handing the
//!   GIL over costs more than scanning a log line.
//! - State: [`Masker`] wraps the core's stateful masker in a mutex, so one
//!   masker (one numbering of `[NAME_1]` labels) can be shared by threads.
//! - Errors: one function, [`to_py_err`], maps the core's error kind to an
//!   exception class. Core messages are built from configuration only, and
//!   the messages written here name types, never values.
//! - Nothing here prints or stores scanned text: `Finding` holds offsets and
//!   the masked `preview`, and every `repr` shows labels and numbers only.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use phimask::{
    convert_offsets, mask_json_value, unmask_json_value, Entity, ErrorKind, Format, FormatOptions, FormatReport,
    OffsetUnit, OnError, Operator,
};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use rayon::prelude::*;
use serde_json::Value;

create_exception!(phimask, PhimaskError, PyException, "Base class of every phimask error.");
create_exception!(phimask, PatternError, PhimaskError, "A pattern file or detector definition is invalid.");
create_exception!(phimask, ConfigError, PhimaskError, "An engine option, policy or argument is invalid.");
create_exception!(phimask, InputError, PhimaskError, "The input cannot be processed as given.");
create_exception!(phimask, KeyMaterialError, PhimaskError, "Key material is missing, unreadable or malformed.");
create_exception!(phimask, PhimaskIOError, PhimaskError, "Reading input or writing output failed.");

/// Texts at least this long are scanned with the GIL released by `scan`.
const DETACH_AT: usize = 4096;

/// The one place core errors become Python exceptions. The exception gets
/// the core's accessors as attributes (`kind`, `path`, `line`,
/// `detector_id`, `field`); its message is the core's `Display`, which
/// names files, detectors and fields but never scanned text or key bytes.
fn to_py_err(py: Python<'_>, err: phimask::Error) -> PyErr {
    let message = err.to_string();
    let (exc, kind) = match err.kind() {
        ErrorKind::Pattern => (PatternError::new_err(message), "pattern"),
        ErrorKind::Config => (ConfigError::new_err(message), "config"),
        ErrorKind::Io => (PhimaskIOError::new_err(message), "io"),
        ErrorKind::Input => (InputError::new_err(message), "input"),
        ErrorKind::Key => (KeyMaterialError::new_err(message), "key"),
        _ => (PhimaskError::new_err(message), "other"),
    };
    let value = exc.value(py);
    let path = err.path().map(|p| p.to_string_lossy().into_owned());
    // Setting plain attributes on a fresh exception instance cannot fail in
    // practice; if it did, the exception would still carry its message.
    let _ = value.setattr("kind", kind);
    let _ = value.setattr("path", path);
    let _ = value.setattr("line", err.line());
    let _ = value.setattr("detector_id", err.detector_id());
    let _ = value.setattr("field", err.field());
    exc
}

/// A binding-side error of the kind the core calls `Config`. (The exception
/// classes default `path`, `line`, `detector_id` and `field` to None.)
fn config_err(py: Python<'_>, message: String) -> PyErr {
    let exc = ConfigError::new_err(message);
    let _ = exc.value(py).setattr("kind", "config");
    exc
}

/// A binding-side I/O error naming the file it is about.
fn io_err(py: Python<'_>, what: &str, path: &Path, err: &std::io::Error) -> PyErr {
    let path = path.to_string_lossy().into_owned();
    let exc = PhimaskIOError::new_err(format!("{path}: {what}: {err}"));
    let _ = exc.value(py).setattr("kind", "io");
    let _ = exc.value(py).setattr("path", path);
    exc
}

fn parse_entity(py: Python<'_>, name: &str) -> PyResult<Entity> {
    // Entity labels are configuration, not PHI, so naming one is fine.
    name.parse::<Entity>().map_err(|e| config_err(py, format!("'{name}': {e}")))
}

/// One detected PHI value. Offsets are Python string indices (code
/// points): `text[f.start:f.end]` is the value. Holds no copy of the value;
/// `preview` is its masked rendering (`***-**-6789`).
#[pyclass(frozen, module = "phimask._native", name = "Finding")]
#[derive(Clone)]
struct PyFinding {
    entity: &'static str,
    safe_harbor: &'static str,
    detector: String,
    start: usize,
    end: usize,
    score: f32,
    preview: String,
}

#[pymethods]
impl PyFinding {
    /// The entity label (`SSN`, `NAME`, …).
    #[getter]
    fn entity(&self) -> &'static str {
        self.entity
    }

    /// The HIPAA Safe Harbor identifier letter (`A`–`R`).
    #[getter]
    fn safe_harbor(&self) -> &'static str {
        self.safe_harbor
    }

    /// The id of the detector that produced the finding.
    #[getter]
    fn detector(&self) -> &str {
        &self.detector
    }

    /// Code-point index where the value starts.
    #[getter]
    fn start(&self) -> usize {
        self.start
    }

    /// Code-point index one past the value's end.
    #[getter]
    fn end(&self) -> usize {
        self.end
    }

    /// Confidence in `0.0..=1.0`.
    #[getter]
    fn score(&self) -> f32 {
        self.score
    }

    /// The masked value, safe to print (`***-**-6789`, `J*** S****`).
    #[getter]
    fn preview(&self) -> &str {
        &self.preview
    }

    /// The finding as a dict of its seven fields.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("entity", self.entity)?;
        d.set_item("safe_harbor", self.safe_harbor)?;
        d.set_item("detector", &self.detector)?;
        d.set_item("start", self.start)?;
        d.set_item("end", self.end)?;
        d.set_item("score", self.score)?;
        d.set_item("preview", &self.preview)?;
        Ok(d)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyFinding>().is_ok_and(|o| {
            let o = o.get();
            (self.entity, &self.detector, self.start, self.end, self.score.to_bits(), &self.preview)
                == (o.entity, &o.detector, o.start, o.end, o.score.to_bits(), &o.preview)
        })
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (self.entity, &self.detector, self.start, self.end, self.score.to_bits()).hash(&mut h);
        h.finish()
    }

    /// Labels and numbers only: never the value, not even its preview.
    fn __repr__(&self) -> String {
        format!(
            "Finding(entity='{}', safe_harbor='{}', detector='{}', start={}, end={}, score={:.2})",
            self.entity, self.safe_harbor, self.detector, self.start, self.end, self.score
        )
    }
}

/// Converts the core's findings on `text` (byte offsets) to `Finding`s with
/// code-point offsets. Needs no GIL, so batches run it on the pool.
fn findings(text: &str, found: Vec<phimask::Finding>) -> Vec<PyFinding> {
    if found.is_empty() {
        return Vec::new();
    }
    let mut offsets: Vec<usize> = found.iter().flat_map(|f| [f.start(), f.end()]).collect();
    convert_offsets(text, &mut offsets, OffsetUnit::CodePoint);
    found
        .iter()
        .zip(offsets.chunks_exact(2))
        .map(|(f, o)| PyFinding {
            entity: f.entity().as_str(),
            safe_harbor: f.safe_harbor().as_str(),
            detector: f.detector().to_owned(),
            start: o[0],
            end: o[1],
            score: f.score(),
            preview: f.preview(text.as_bytes()),
        })
        .collect()
}

/// A secret key for `tokenize`, `hash`, `surrogate` and `date-shift`. The
/// repr shows only the key id; the bytes are wiped when the last reference
/// goes away (a `bytes` object given to `from_bytes` is Python's and is not).
#[pyclass(frozen, module = "phimask._native", name = "Key")]
struct PyKey {
    inner: phimask::Key,
}

#[pymethods]
impl PyKey {
    /// Reads a key file: raw bytes, or one line of hex or base64.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<PyKey> {
        phimask::Key::from_file(path).map(|inner| PyKey { inner }).map_err(|e| to_py_err(py, e))
    }

    /// Reads a key from an environment variable holding hex or base64.
    #[staticmethod]
    fn from_env(py: Python<'_>, var: &str) -> PyResult<PyKey> {
        phimask::Key::from_env(var).map(|inner| PyKey { inner }).map_err(|e| to_py_err(py, e))
    }

    /// A new random 256-bit key from the operating system.
    #[staticmethod]
    fn generate(py: Python<'_>) -> PyResult<PyKey> {
        phimask::Key::generate().map(|inner| PyKey { inner }).map_err(|e| to_py_err(py, e))
    }

    /// Raw key bytes, 32 to 1024 of them.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: Vec<u8>) -> PyResult<PyKey> {
        phimask::Key::from_bytes(data).map(|inner| PyKey { inner }).map_err(|e| to_py_err(py, e))
    }

    /// Generates a key and writes it raw to a new file (mode 0600; never
    /// overwrites), like `phimask keygen -o PATH`.
    #[staticmethod]
    fn write_new(py: Python<'_>, path: PathBuf) -> PyResult<PyKey> {
        phimask::Key::write_new(path).map(|inner| PyKey { inner }).map_err(|e| to_py_err(py, e))
    }

    /// A short id of the key (8 hex characters), safe to print and store.
    #[getter]
    fn key_id(&self) -> &str {
        self.inner.key_id()
    }

    fn __repr__(&self) -> String {
        format!("Key(id='{}')", self.inner.key_id())
    }
}

/// A masking policy: an operator per entity.
#[pyclass(frozen, module = "phimask._native", name = "Policy")]
struct PyPolicy {
    inner: phimask::Policy,
    name: String,
}

fn preset(py: Python<'_>, name: &str) -> PyResult<phimask::Policy> {
    // Presets are parsed from TOML; cache them so `engine.mask(text)` in a
    // loop does not re-parse one per call.
    static CACHE: OnceLock<Mutex<HashMap<String, phimask::Policy>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(p) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(name) {
        return Ok(p.clone());
    }
    let policy = phimask::Policy::preset(name).map_err(|e| to_py_err(py, e))?;
    cache.lock().unwrap_or_else(|e| e.into_inner()).insert(name.to_owned(), policy.clone());
    Ok(policy)
}

#[pymethods]
impl PyPolicy {
    /// An embedded preset (`mask`, `redact`, `label`, `hash`, `tokenize`,
    /// `surrogate`, `safe-harbor`).
    #[staticmethod]
    fn preset(py: Python<'_>, name: &str) -> PyResult<PyPolicy> {
        Ok(PyPolicy { inner: preset(py, name)?, name: name.to_owned() })
    }

    /// Parses a policy in the TOML schema of `policies/*.toml`; `origin`
    /// names it in errors.
    #[staticmethod]
    #[pyo3(signature = (source, origin = "<string>"))]
    fn from_toml(py: Python<'_>, source: &str, origin: &str) -> PyResult<PyPolicy> {
        let inner = phimask::Policy::from_toml(source, Path::new(origin)).map_err(|e| to_py_err(py, e))?;
        Ok(PyPolicy { inner, name: origin.to_owned() })
    }

    /// Reads a policy file.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<PyPolicy> {
        let source = std::fs::read_to_string(&path).map_err(|e| io_err(py, "cannot read policy file", &path, &e))?;
        let inner = phimask::Policy::from_toml(&source, &path).map_err(|e| to_py_err(py, e))?;
        Ok(PyPolicy { inner, name: path.to_string_lossy().into_owned() })
    }

    /// The names of the embedded presets.
    #[staticmethod]
    fn preset_names() -> Vec<&'static str> {
        phimask::Policy::preset_names()
    }

    /// Whether the policy needs a key (`hash`, `tokenize`, `surrogate`,
    /// `date-shift`).
    #[getter]
    fn needs_key(&self) -> bool {
        self.inner.needs_key()
    }

    /// The operator name for one entity (`mask`, `tokenize`, …).
    fn operator(&self, py: Python<'_>, entity: &str) -> PyResult<&'static str> {
        Ok(self.inner.operator(parse_entity(py, entity)?).name())
    }

    fn __repr__(&self) -> String {
        format!("Policy({:?})", self.name)
    }
}

/// A policy argument: a preset name or a `Policy`.
fn policy_arg(py: Python<'_>, policy: &Bound<'_, PyAny>) -> PyResult<phimask::Policy> {
    if let Ok(p) = policy.cast::<PyPolicy>() {
        return Ok(p.get().inner.clone());
    }
    if let Ok(name) = policy.cast::<PyString>() {
        return preset(py, &name.to_cow()?);
    }
    Err(PyTypeError::new_err("policy must be a preset name (str) or a phimask.Policy"))
}

fn key_arg(key: Option<&Bound<'_, PyKey>>) -> Option<phimask::Key> {
    key.map(|k| k.get().inner.clone())
}

/// Whether masking one text depends on what earlier texts held: numbered
/// labels number values in order of appearance.
fn numbers_labels(policy: &phimask::Policy) -> bool {
    Entity::ALL.iter().any(|&e| matches!(policy.operator(e), Operator::Label { numbered: true }))
}

/// A compiled detector set. `Engine()` is the embedded default pack; build
/// once and share (it is immutable and thread-safe).
#[pyclass(frozen, module = "phimask._native", name = "Engine")]
struct PyEngine {
    inner: phimask::Engine,
}

#[pymethods]
impl PyEngine {
    #[new]
    #[pyo3(signature = (
        entities = None,
        exclude_entities = None,
        patterns = None,
        min_score = None,
        context_window = None,
        disable_detectors = None,
        pattern_toml = None,
        default_patterns = true,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        entities: Option<Vec<String>>,
        exclude_entities: Option<Vec<String>>,
        patterns: Option<&Bound<'_, PyAny>>,
        min_score: Option<f32>,
        context_window: Option<usize>,
        disable_detectors: Option<Vec<String>>,
        pattern_toml: Option<String>,
        default_patterns: bool,
    ) -> PyResult<PyEngine> {
        let mut b = phimask::Engine::builder();
        b.default_patterns(default_patterns);
        if let Some(es) = entities {
            b.entities(es.iter().map(|e| parse_entity(py, e)).collect::<PyResult<Vec<_>>>()?);
        }
        if let Some(es) = exclude_entities {
            b.exclude_entities(es.iter().map(|e| parse_entity(py, e)).collect::<PyResult<Vec<_>>>()?);
        }
        if let Some(p) = patterns {
            let paths: Vec<PathBuf> = match p.extract::<PathBuf>() {
                Ok(one) => vec![one],
                Err(_) => p.extract().map_err(|_| {
                    PyTypeError::new_err("patterns must be a path or a sequence of paths to pattern files")
                })?,
            };
            for path in paths {
                b.patterns_file(path);
            }
        }
        if let Some(toml) = pattern_toml {
            b.patterns_str("<pattern_toml>", &toml);
        }
        if let Some(s) = min_score {
            b.min_score(s);
        }
        if let Some(w) = context_window {
            b.context_window(w);
        }
        for id in disable_detectors.unwrap_or_default() {
            b.disable_detector(&id);
        }
        let inner = py.detach(|| b.build()).map_err(|e| to_py_err(py, e))?;
        Ok(PyEngine { inner })
    }

    /// Scans text; offsets are Python string indices.
    fn scan(&self, py: Python<'_>, text: Cow<'_, str>) -> Vec<PyFinding> {
        if text.len() >= DETACH_AT {
            py.detach(|| findings(&text, self.inner.scan(&text)))
        } else {
            findings(&text, self.inner.scan(&text))
        }
    }

    /// Scans one value whose field/column/key name is known (the name is
    /// context).
    fn scan_field(&self, field: &str, value: Cow<'_, str>) -> Vec<PyFinding> {
        findings(&value, self.inner.scan_field(field, &value))
    }

    /// Scans many texts on all cores with the GIL released.
    fn scan_batch(&self, py: Python<'_>, texts: &Bound<'_, PyAny>) -> PyResult<Vec<Vec<PyFinding>>> {
        // Each text is encoded to a UTF-8 `bytes` object that stays alive
        // while the pool borrows it: one copy per text instead of two.
        let encoded = utf8_texts(texts)?;
        let texts = encoded
            .iter()
            .map(|b| std::str::from_utf8(b.as_bytes()))
            .collect::<Result<Vec<&str>, _>>()
            .map_err(|_| PyTypeError::new_err("texts must be str"))?;
        Ok(py.detach(|| texts.par_iter().with_min_len(64).map(|t| findings(t, self.inner.scan(t))).collect()))
    }

    /// Masks text with a preset name or `Policy` (one fresh masker per call:
    /// numbered labels restart; use `masker()` to keep them across calls).
    #[pyo3(signature = (text, policy = None, key = None))]
    fn mask(
        &self,
        py: Python<'_>,
        text: Cow<'_, str>,
        policy: Option<&Bound<'_, PyAny>>,
        key: Option<&Bound<'_, PyKey>>,
    ) -> PyResult<String> {
        let mut masker = self.new_masker(py, policy, key)?;
        Ok(masker.mask_str(&text))
    }

    /// Masks many texts on all cores with the GIL released. With numbered
    /// labels (`safe-harbor`) one masker runs through them in order so the
    /// numbers agree across the batch; otherwise each thread has its own.
    #[pyo3(signature = (texts, policy = None, key = None))]
    fn mask_batch(
        &self,
        py: Python<'_>,
        texts: Vec<String>,
        policy: Option<&Bound<'_, PyAny>>,
        key: Option<&Bound<'_, PyKey>>,
    ) -> PyResult<Vec<String>> {
        let mut first = self.new_masker(py, policy, key)?;
        let policy = policy_or_default(py, policy)?;
        let key = key_arg(key);
        let engine = &self.inner;
        let out = py.detach(|| {
            if numbers_labels(&policy) {
                return Ok(texts.iter().map(|t| first.mask_str(t)).collect());
            }
            texts
                .par_iter()
                .with_min_len(256)
                .map_init(
                    || phimask::Masker::new(engine.clone(), policy.clone(), key.clone()),
                    |m, t| m.as_mut().map(|m| m.mask_str(t)).map_err(|e| e.clone()),
                )
                .collect::<Result<Vec<String>, phimask::Error>>()
        });
        out.map_err(|e| to_py_err(py, e))
    }

    /// Reverses `tokenize` in text masked under the same policy and key.
    /// `key_id` is the key id recorded when the data was tokenized
    /// (`Key.key_id`, a mask report's `key_id`): a different key is a
    /// `KeyError` instead of wrong values. Without it, `unverified=True`
    /// must say the restore is unchecked.
    #[pyo3(signature = (text, key, policy = None, *, key_id = None, unverified = false))]
    fn unmask(
        &self,
        py: Python<'_>,
        text: Cow<'_, str>,
        key: &Bound<'_, PyKey>,
        policy: Option<&Bound<'_, PyAny>>,
        key_id: Option<&str>,
        unverified: bool,
    ) -> PyResult<String> {
        let mut masker = self.checked_unmasker(py, key, policy, key_id, unverified)?;
        masker.unmask_str(&text).map_err(|e| to_py_err(py, e))
    }

    /// Masks a JSON-like record (dicts, lists, str, int, float, bool,
    /// None): keys are context, a key naming an entity (`ssn`, `dob`) masks
    /// its value whole, nested values are walked. Returns a new record.
    #[pyo3(signature = (record, policy = None, key = None, subject_field = None))]
    fn mask_record<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
        policy: Option<&Bound<'py, PyAny>>,
        key: Option<&Bound<'py, PyKey>>,
        subject_field: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut masker = self.new_masker(py, policy, key)?;
        let mut value = to_json(record, 0)?;
        mask_json_value(&mut masker, &mut value, &FormatOptions::new().subject_field(subject_field));
        from_json(py, &value)
    }

    /// Reverses `tokenize` in a record masked by `mask_record` under the
    /// same policy and key; `key_id` and `unverified` as for `unmask`.
    #[pyo3(signature = (record, key, policy = None, *, key_id = None, unverified = false))]
    fn unmask_record<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
        key: &Bound<'py, PyKey>,
        policy: Option<&Bound<'py, PyAny>>,
        key_id: Option<&str>,
        unverified: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut masker = self.checked_unmasker(py, key, policy, key_id, unverified)?;
        let mut value = to_json(record, 0)?;
        unmask_json_value(&mut masker, &mut value).map_err(|e| to_py_err(py, e))?;
        from_json(py, &value)
    }

    /// Masks a CSV file (header row; columns are context) into `dst`, like
    /// `phimask mask src.csv -o dst`. Returns a report dict (counts, no PHI).
    #[pyo3(signature = (src, dst, policy = None, key = None, on_error = "fail", subject_field = None, delimiter = ","))]
    #[allow(clippy::too_many_arguments)]
    fn mask_csv<'py>(
        &self,
        py: Python<'py>,
        src: PathBuf,
        dst: PathBuf,
        policy: Option<&Bound<'py, PyAny>>,
        key: Option<&Bound<'py, PyKey>>,
        on_error: &str,
        subject_field: Option<String>,
        delimiter: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let format = match delimiter {
            "," => Format::Csv,
            "\t" => Format::Tsv,
            _ => return Err(config_err(py, "delimiter must be ',' or '\\t'".to_owned())),
        };
        self.mask_path(py, &src, &dst, Some(format), true, policy, key, on_error, subject_field)
    }

    /// Masks a file into `dst`, like `phimask mask src -o dst`: the format
    /// comes from `input_format` (`csv`, `tsv`, `json`, `ndjson`, `sql`,
    /// `text`) or the extension, else text. Output is written to a temporary
    /// file beside `dst` and renamed into place only on success.
    #[pyo3(signature = (src, dst, policy = None, key = None, input_format = None, on_error = "fail", subject_field = None))]
    #[allow(clippy::too_many_arguments)]
    fn mask_file<'py>(
        &self,
        py: Python<'py>,
        src: PathBuf,
        dst: PathBuf,
        policy: Option<&Bound<'py, PyAny>>,
        key: Option<&Bound<'py, PyKey>>,
        input_format: Option<&str>,
        on_error: &str,
        subject_field: Option<String>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let format = match input_format {
            Some("text") => None,
            Some(name) => Some(
                Format::from_extension(name).ok_or_else(|| config_err(py, format!("unknown input_format '{name}'")))?,
            ),
            None => src.extension().and_then(|e| e.to_str()).and_then(Format::from_extension),
        };
        self.mask_path(py, &src, &dst, format, input_format.is_some(), policy, key, on_error, subject_field)
    }

    /// A masker: one policy, one key, and state across calls (numbered
    /// labels, statistics).
    #[pyo3(signature = (policy = None, key = None))]
    fn masker(
        &self,
        py: Python<'_>,
        policy: Option<&Bound<'_, PyAny>>,
        key: Option<&Bound<'_, PyKey>>,
    ) -> PyResult<PyMasker> {
        let masker = self.new_masker(py, policy, key)?;
        Ok(PyMasker { inner: Mutex::new(masker) })
    }

    /// The entity a field/column/key name stands for (`"SSN"` for `ssn`),
    /// or None.
    fn entity_for_field(&self, field: &str) -> Option<&'static str> {
        self.inner.entity_for_field(field).map(Entity::as_str)
    }

    /// The minimum score this engine reports.
    #[getter]
    fn min_score(&self) -> f32 {
        self.inner.min_score()
    }

    /// The ids of the active detectors, in definition order.
    fn detector_ids(&self) -> Vec<String> {
        self.inner.detectors().into_iter().map(|d| d.id.to_string()).collect()
    }

    fn __repr__(&self) -> String {
        format!("Engine(detectors={}, min_score={})", self.inner.detectors().len(), self.inner.min_score())
    }
}

/// The UTF-8 encoding of every `str` in a sequence (not a lone `str`).
fn utf8_texts<'py>(texts: &Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, PyBytes>>> {
    if texts.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err("texts must be a sequence of str, not a str"));
    }
    let mut out = Vec::with_capacity(texts.len().unwrap_or(0));
    for item in texts.try_iter()? {
        let item = item?;
        let text = item.cast::<PyString>().map_err(|_| PyTypeError::new_err("texts must be a sequence of str"))?;
        out.push(text.encode_utf8()?);
    }
    Ok(out)
}

fn policy_or_default(py: Python<'_>, policy: Option<&Bound<'_, PyAny>>) -> PyResult<phimask::Policy> {
    match policy {
        Some(p) => policy_arg(py, p),
        None => preset(py, "mask"),
    }
}

impl PyEngine {
    fn new_masker(
        &self,
        py: Python<'_>,
        policy: Option<&Bound<'_, PyAny>>,
        key: Option<&Bound<'_, PyKey>>,
    ) -> PyResult<phimask::Masker> {
        let policy = policy_or_default(py, policy)?;
        phimask::Masker::new(self.inner.clone(), policy, key_arg(key)).map_err(|e| to_py_err(py, e))
    }

    #[allow(clippy::too_many_arguments)]
    fn mask_path<'py>(
        &self,
        py: Python<'py>,
        src: &Path,
        dst: &Path,
        format: Option<Format>,
        force_text: bool,
        policy: Option<&Bound<'py, PyAny>>,
        key: Option<&Bound<'py, PyKey>>,
        on_error: &str,
        subject_field: Option<String>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let on_error = match on_error {
            "fail" => OnError::Fail,
            "skip" => OnError::Skip,
            _ => return Err(config_err(py, "on_error must be 'fail' or 'skip'".to_owned())),
        };
        if let (Ok(a), Ok(b)) = (src.canonicalize(), dst.canonicalize()) {
            if a == b {
                return Err(config_err(py, "dst names the input; write elsewhere".to_owned()));
            }
        }
        let mut masker = self.new_masker(py, policy, key)?;
        let options = FormatOptions::new().on_error(on_error).subject_field(subject_field);
        let report = py.detach(|| write_atomically(&mut masker, src, dst, format, &options, force_text));
        let report = report.map_err(|e| match e {
            PathError::Core(e) => to_py_err(py, e),
            PathError::Io(what, path, e) => io_err(py, what, &path, &e),
        })?;
        let stats = masker.stats();
        let d = PyDict::new(py);
        d.set_item("format", format.map_or("text", Format::as_str))?;
        d.set_item("records", report.records)?;
        d.set_item("skipped", report.skipped)?;
        d.set_item("skipped_lines", report.skipped_lines)?;
        d.set_item("masked", stats.total())?;
        d.set_item("bytes", stats.bytes)?;
        Ok(d)
    }
}

enum PathError {
    Core(phimask::Error),
    Io(&'static str, PathBuf, std::io::Error),
}

/// Masks `src` into a temporary file beside `dst` and renames it into
/// place on success, as the CLI does (a failure leaves `dst` untouched).
fn write_atomically(
    masker: &mut phimask::Masker,
    src: &Path,
    dst: &Path,
    format: Option<Format>,
    options: &FormatOptions,
    force_text: bool,
) -> Result<FormatReport, PathError> {
    let io = |what: &'static str, path: &Path, e: std::io::Error| PathError::Io(what, path.to_path_buf(), e);
    let input = std::fs::File::open(src).map_err(|e| io("cannot open input", src, e))?;
    let reader = std::io::BufReader::new(input);
    let dir = match dst.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // Created 0600 (tempfile's default): it may hold restored PHI.
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| io("cannot create output", dst, e))?;
    let mut writer = std::io::BufWriter::new(tmp);
    // The core's file job: UTF-16/32 decoded and written back in its
    // encoding, binary input refused unless the format is given as text.
    let report =
        phimask::mask_stream(masker, format, reader, &mut writer, options, force_text).map_err(PathError::Core)?;
    let tmp = writer.into_inner().map_err(|e| io("cannot write output", dst, e.into_error()))?;
    tmp.persist(dst).map_err(|e| io("cannot rename output into place", dst, e.error))?;
    Ok(report)
}

/// A masker shared by threads: one policy, one key, one numbering of
/// labels, statistics across calls. Calls are serialized by a mutex.
#[pyclass(frozen, module = "phimask._native", name = "Masker")]
struct PyMasker {
    inner: Mutex<phimask::Masker>,
}

impl PyMasker {
    fn lock(&self) -> std::sync::MutexGuard<'_, phimask::Masker> {
        // A panic inside the core cannot leave the masker half-updated in a
        // way that matters for the next call (state is counters and labels).
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[pymethods]
impl PyMasker {
    /// Masks text.
    fn mask(&self, text: Cow<'_, str>) -> String {
        self.lock().mask_str(&text)
    }

    /// Masks one value whose field/column/key name is known.
    fn mask_field(&self, field: &str, value: Cow<'_, str>) -> String {
        self.lock().mask_field(field, &value)
    }

    /// Masks a whole value known to be `entity` (no detection runs).
    #[pyo3(signature = (entity, value, field = None))]
    fn mask_value(&self, py: Python<'_>, entity: &str, value: Cow<'_, str>, field: Option<&str>) -> PyResult<String> {
        let entity = parse_entity(py, entity)?;
        Ok(self.lock().mask_value(entity, field, &value))
    }

    /// Masks a JSON-like record; see `Engine.mask_record`.
    #[pyo3(signature = (record, subject_field = None))]
    fn mask_record<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
        subject_field: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut value = to_json(record, 0)?;
        mask_json_value(&mut self.lock(), &mut value, &FormatOptions::new().subject_field(subject_field));
        from_json(py, &value)
    }

    /// Reverses `tokenize` in text.
    fn unmask(&self, py: Python<'_>, text: Cow<'_, str>) -> PyResult<String> {
        self.lock().unmask_str(&text).map_err(|e| to_py_err(py, e))
    }

    /// Reverses `tokenize` in one field value masked with `mask_field`.
    fn unmask_field(&self, py: Python<'_>, field: &str, value: Cow<'_, str>) -> PyResult<String> {
        self.lock().unmask_field(field, &value).map_err(|e| to_py_err(py, e))
    }

    /// Reverses `mask_value` for a tokenized value.
    #[pyo3(signature = (entity, token, field = None))]
    fn unmask_value(&self, py: Python<'_>, entity: &str, token: Cow<'_, str>, field: Option<&str>) -> PyResult<String> {
        let entity = parse_entity(py, entity)?;
        self.lock().unmask_value(entity, field, &token).map_err(|e| to_py_err(py, e))
    }

    /// Reverses `tokenize` in a record masked by `mask_record`.
    fn unmask_record<'py>(&self, py: Python<'py>, record: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let mut value = to_json(record, 0)?;
        unmask_json_value(&mut self.lock(), &mut value).map_err(|e| to_py_err(py, e))?;
        from_json(py, &value)
    }

    /// Sets the subject (a patient id) whose dates `date-shift` moves next.
    fn set_subject(&self, subject: &str) {
        self.lock().set_subject(subject);
    }

    /// What has been masked so far: `{"total", "bytes", "by_entity":
    /// {"SSN": {"mask": 3}}}`. Counts only, no PHI.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let masker = self.lock();
        let stats = masker.stats();
        let by_entity = PyDict::new(py);
        for ((entity, operator), n) in &stats.by_entity {
            let ops = match by_entity.get_item(entity.as_str())? {
                Some(d) => d.cast_into::<PyDict>()?,
                None => {
                    let d = PyDict::new(py);
                    by_entity.set_item(entity.as_str(), &d)?;
                    d
                }
            };
            ops.set_item(*operator, n)?;
        }
        let d = PyDict::new(py);
        d.set_item("total", stats.total())?;
        d.set_item("bytes", stats.bytes)?;
        d.set_item("by_entity", by_entity)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!("Masker(masked={})", self.lock().stats().total())
    }
}

/// How deep `to_json` follows nested containers (a cycle would recurse
/// forever).
const MAX_DEPTH: usize = 128;

/// Python (dict, list, tuple, str, int, float, bool, None) to JSON. Errors
/// name the type, never the value or the key.
fn to_json(obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(PyTypeError::new_err("record nests deeper than 128 levels (or contains a cycle)"));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.cast::<PyInt>().is_ok() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        return Err(PyTypeError::new_err("record holds an int that does not fit in 64 bits"));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return serde_json::Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| PyTypeError::new_err("record holds a float that is not finite"));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = serde_json::Map::with_capacity(d.len());
        for (k, v) in d.iter() {
            let k = k
                .cast::<PyString>()
                .map_err(|_| PyTypeError::new_err("record keys must be str"))?
                .to_cow()?
                .into_owned();
            map.insert(k, to_json(&v, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return l.iter().map(|v| to_json(&v, depth + 1)).collect::<PyResult<Vec<_>>>().map(Value::Array);
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return t.iter().map(|v| to_json(&v, depth + 1)).collect::<PyResult<Vec<_>>>().map(Value::Array);
    }
    let type_name = obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".to_owned());
    Err(PyTypeError::new_err(format!(
        "record values must be dict, list, tuple, str, int, float, bool or None, not {type_name}"
    )))
}

fn from_json<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(from_json(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let d = PyDict::new(py);
            for (k, v) in map {
                d.set_item(k, from_json(py, v)?)?;
            }
            d.into_any()
        }
    })
}

/// The entity labels the engine knows (`NAME`, `SSN`, …).
#[pyfunction]
fn entities() -> Vec<&'static str> {
    Entity::ALL.iter().map(|e| e.as_str()).collect()
}

/// Scans every text of `texts` with the default engine, single-threaded and
/// timing only the core calls; returns (seconds, findings). Used by the
/// benchmark to measure the binding's overhead over the core.
#[pyfunction]
fn _core_scan_timing(py: Python<'_>, engine: &Bound<'_, PyEngine>, texts: Vec<String>, rounds: usize) -> (f64, usize) {
    let engine = engine.get().inner.clone();
    py.detach(|| {
        let mut found = 0;
        let start = std::time::Instant::now();
        for _ in 0..rounds {
            for t in &texts {
                found += std::hint::black_box(engine.scan(std::hint::black_box(t))).len();
            }
        }
        (start.elapsed().as_secs_f64(), found)
    })
}

/// The native module behind the `phimask` Python package.
#[pymodule(gil_used = false)]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<PyEngine>()?;
    m.add_class::<PyFinding>()?;
    m.add_class::<PyKey>()?;
    m.add_class::<PyPolicy>()?;
    m.add_class::<PyMasker>()?;
    let base = py.get_type::<PhimaskError>();
    base.setattr("kind", "other")?;
    for attr in ["path", "line", "detector_id", "field"] {
        base.setattr(attr, py.None())?;
    }
    m.add("PhimaskError", base)?;
    m.add("PatternError", py.get_type::<PatternError>())?;
    m.add("ConfigError", py.get_type::<ConfigError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("KeyMaterialError", py.get_type::<KeyMaterialError>())?;
    m.add("PhimaskIOError", py.get_type::<PhimaskIOError>())?;
    m.add_function(wrap_pyfunction!(entities, m)?)?;
    m.add_function(wrap_pyfunction!(_core_scan_timing, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

impl PyEngine {
    /// A masker for `unmask`, after [`phimask::check_unmask`]: the key id
    /// recorded at mask time (or an explicitly unverified restore) and a
    /// policy that tokenizes something.
    fn checked_unmasker(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyKey>,
        policy: Option<&Bound<'_, PyAny>>,
        key_id: Option<&str>,
        unverified: bool,
    ) -> PyResult<phimask::Masker> {
        let policy = match policy {
            Some(p) => policy_arg(py, p)?,
            None => preset(py, "tokenize")?,
        };
        phimask::check_unmask(&policy, &key.borrow().inner, key_id, unverified).map_err(|e| to_py_err(py, e))?;
        phimask::Masker::new(self.inner.clone(), policy, key_arg(Some(key))).map_err(|e| to_py_err(py, e))
    }
}

//! The one error type of the core.
//!
//! An opaque [`Error`] with a [`#[non_exhaustive]`](ErrorKind) kind and
//! accessors, in the style of regex-automata and aho-corasick: bindings map
//! [`Error::kind`] to their own exception classes or error codes, and the
//! CLI maps it to exit code 2. Messages are built only from configuration
//! (file paths, detector ids, field names) and never from scanned text, so an
//! error can be printed anywhere without leaking PHI.

use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong, coarsely. New kinds may be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A pattern file or detector definition is invalid (bad TOML, unknown
    /// field, regex that does not compile, unknown validator, failing
    /// built-in example…).
    Pattern,
    /// An engine option is invalid (unknown entity, score out of range…).
    Config,
    /// Reading input or writing output failed.
    Io,
    /// The input cannot be processed as given (for example a record too
    /// large for the configured bound).
    Input,
    /// Key material is missing, unreadable, malformed or too short (a key
    /// file that cannot be read, an unset environment variable, bad hex or
    /// base64, fewer than 256 bits). Messages name the file or variable,
    /// never the key bytes or the variable's value.
    Key,
}

/// An error from building or running the engine.
#[derive(Clone)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    detector_id: Option<String>,
    field: Option<String>,
    path: Option<PathBuf>,
    line: Option<u64>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error { kind, message: message.into(), detector_id: None, field: None, path: None, line: None }
    }

    pub(crate) fn pattern(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Pattern, message)
    }

    pub(crate) fn config(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Config, message)
    }

    pub(crate) fn key(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Key, message)
    }

    /// Wraps an I/O error. Only the error kind and OS message are kept.
    pub(crate) fn io(err: &std::io::Error) -> Error {
        Error::new(ErrorKind::Io, err.to_string())
    }

    pub(crate) fn with_detector(mut self, id: impl Into<String>) -> Error {
        self.detector_id = Some(id.into());
        self
    }

    pub(crate) fn with_field(mut self, field: impl Into<String>) -> Error {
        self.field = Some(field.into());
        self
    }

    pub(crate) fn with_path(mut self, path: impl Into<PathBuf>) -> Error {
        self.path = Some(path.into());
        self
    }

    pub(crate) fn with_line(mut self, line: u64) -> Error {
        self.line = Some(line);
        self
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The detector the error is about, when it is about one.
    pub fn detector_id(&self) -> Option<&str> {
        self.detector_id.as_deref()
    }

    /// The detector field (`regex`, `validator`, `match[2]`…) the error is about.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// The pattern file the error is about, when it came from a file.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The 1-based line in [`Error::path`], when known.
    pub fn line(&self) -> Option<u64> {
        self.line
    }

    /// The message without the location prefix.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path {
            write!(f, "{}", path.display())?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
            }
            f.write_str(": ")?;
        }
        if let Some(id) = &self.detector_id {
            write!(f, "detector '{id}': ")?;
        }
        if let Some(field) = &self.field {
            write!(f, "field '{field}': ")?;
        }
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("detector_id", &self.detector_id)
            .field("field", &self.field)
            .field("path", &self.path)
            .field("line", &self.line)
            .finish()
    }
}

impl std::error::Error for Error {}

/// A configuration parser's message (TOML, serde) with the values it
/// quotes left out: `invalid type: string "123-45-6789", expected a
/// sequence` becomes `invalid type: a string, expected a sequence`. A
/// value in a config or pattern file can be PHI (an allowlisted SSN, a
/// misplaced example); field names and the expected forms are kept.
///
/// # Example
/// ```
/// let msg = r#"invalid type: string "123-45-6789", expected a sequence"#;
/// assert_eq!(phimask::without_values(msg), "invalid type: a string, expected a sequence");
/// assert_eq!(phimask::without_values("unknown variant `John Smith`, expected `mask` or `redact`"),
///            "unknown variant (not shown), expected `mask` or `redact`");
/// assert_eq!(phimask::without_values("unknown field `tyop`, expected `id`"), "unknown field `tyop`, expected `id`");
/// ```
pub fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(['"', '`']) {
        let quote = rest.as_bytes()[i];
        let Some(len) = rest[i + 1..].find(char::from(quote)) else { break };
        let before = &rest[..i];
        let quoted = &rest[i..i + len + 2];
        // What the quote is: a value the file held, or the schema's words.
        let kinds =
            [("string ", "a string"), ("integer ", "an integer"), ("float ", "a float"), ("character ", "a character")];
        if let Some((word, shown)) = kinds.iter().find(|(w, _)| before.ends_with(w)) {
            out.push_str(&before[..before.len() - word.len()]);
            out.push_str(shown);
        } else if quote == b'"' || before.ends_with("variant ") || before.ends_with("value ") {
            out.push_str(before);
            out.push_str("(not shown)");
        } else {
            out.push_str(before);
            out.push_str(quoted);
        }
        rest = &rest[i + len + 2..];
    }
    out.push_str(rest);
    out
}

impl From<std::io::Error> for Error {
    /// An [`ErrorKind::Io`] error; only the OS message (or the message of a
    /// custom I/O error, such as a decoding failure) is kept.
    fn from(err: std::io::Error) -> Error {
        Error::io(&err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_detector_and_field() {
        let err = Error::pattern("regex does not compile")
            .with_path("mrn.toml")
            .with_line(7)
            .with_detector("mrn-acme")
            .with_field("regex");
        assert_eq!(err.to_string(), "mrn.toml:7: detector 'mrn-acme': field 'regex': regex does not compile");
        assert_eq!(err.kind(), ErrorKind::Pattern);
        assert_eq!(err.detector_id(), Some("mrn-acme"));
    }
}

//! Temporary files are removed when the process is interrupted.
//!
//! `mask` and `unmask` write a hidden temporary file beside their target and
//! rename it into place at the end; an error drops (and deletes) it, but
//! SIGINT, SIGTERM or SIGHUP end the process without running destructors,
//! which left temporary files as large as the input behind (after `unmask`,
//! holding restored PHI). Each staged file is registered here while it
//! exists, and a signal handler deletes whatever is registered, then exits
//! with status 130.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once, PoisonError};

static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Installs the signal handler (once per process; later calls do nothing).
pub(crate) fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Another handler already installed is the only failure: nothing
        // then removes the files, as before.
        let _ = ctrlc::set_handler(|| {
            let live = LIVE.lock().unwrap_or_else(PoisonError::into_inner);
            for path in live.iter() {
                let _ = std::fs::remove_file(path);
            }
            std::process::exit(130);
        });
    });
}

/// A temporary file registered for deletion on a signal until this is
/// dropped (once the file is renamed into place or deleted).
#[derive(Debug)]
pub(crate) struct Registered(PathBuf);

impl Registered {
    pub(crate) fn new(path: &Path) -> Registered {
        LIVE.lock().unwrap_or_else(PoisonError::into_inner).push(path.to_path_buf());
        Registered(path.to_path_buf())
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        LIVE.lock().unwrap_or_else(PoisonError::into_inner).retain(|p| p != &self.0);
    }
}

//! `phimask keygen`: write a new random key for the keyed operators
//! (`tokenize`, `hash` and the others that need one).
//!
//! All the care is in the core's [`Key::write_new`]: a 256-bit key from the
//! operating system's generator, written to a new file with mode 0600 that
//! appears whole or not at all and never replaces an existing file. This
//! command only adds the contract around it: the key goes to a file and
//! nowhere else (no `-o -`, nothing on stdout), and what is printed is the
//! key id, which is safe to log and names the key in `mask` reports.

use std::io::Write;
use std::path::PathBuf;

use clap::Args as ClapArgs;
use phimask::Key;

use crate::{Failure, Outcome};

/// Arguments of `phimask keygen`.
#[derive(Debug, ClapArgs)]
pub(crate) struct Args {
    /// The new key file. It must not exist yet; it is created with mode 0600.
    #[arg(short, long, value_name = "PATH")]
    output: PathBuf,
}

/// Runs `phimask keygen`.
///
/// # Errors
/// A [`Failure`] naming the path when it already exists, is `-`, or cannot
/// be written. No key is printed, ever.
pub(crate) fn run(args: Args) -> Result<Outcome, Failure> {
    if args.output.as_os_str() == "-" {
        return Err(Failure::new("keygen writes keys only to files, never to standard output; give -o PATH"));
    }
    let key = Key::write_new(&args.output)?;
    let _ = writeln!(
        std::io::stderr().lock(),
        "phimask: wrote a new 256-bit key to {} (key id {}); keep it secret: it reverses tokens",
        args.output.display(),
        key.key_id()
    );
    Ok(Outcome::Clean)
}

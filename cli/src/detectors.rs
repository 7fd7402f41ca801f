//! `phimask detectors`: list the detectors a scan with the same options
//! would run — id, entity, Safe Harbor letter, description — so users can
//! find the id to pass to `--disable-detector` or `disable_detectors`. The
//! file-kind checks (`file-image`, `file-dicom`) are listed last.

use std::io::{self, BufWriter, Write};

use clap::{Args as ClapArgs, ValueEnum};
use serde::Serialize;

use crate::config::Findings;
use crate::engine::EngineArgs;
use crate::{Failure, Outcome};

/// Arguments of `phimask detectors`.
#[derive(Debug, ClapArgs)]
pub(crate) struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    format: ListFormat,

    #[command(flatten)]
    engine: EngineArgs,
}

/// Formats of the listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    /// Aligned columns.
    Text,
    /// A JSON array of objects.
    Json,
}

#[derive(Serialize)]
struct DetectorOut<'a> {
    id: &'a str,
    entity: &'static str,
    safe_harbor: &'static str,
    description: &'a str,
}

/// Runs `phimask detectors`.
///
/// # Errors
/// A [`Failure`] for a bad config, pattern file or option.
pub(crate) fn run(args: Args) -> Result<Outcome, Failure> {
    let cwd = std::env::current_dir().map_err(|e| Failure::new(format!("cannot read the working directory: {e}")))?;
    let config = args.engine.load_config(&cwd)?;
    let engine = args.engine.build(config.as_ref(), Findings::Evidence)?;
    let mut detectors = engine.detectors();
    // Images and DICOM files are reported by file kind, outside the engine.
    detectors.extend(crate::filekind::detector_infos(args.engine.file_kinds(config.as_ref(), Findings::Evidence)));
    let rows: Vec<DetectorOut<'_>> = detectors
        .iter()
        .map(|d| DetectorOut {
            id: &d.id,
            entity: d.entity.as_str(),
            safe_harbor: d.safe_harbor.as_str(),
            description: &d.description,
        })
        .collect();
    let mut out = BufWriter::new(io::stdout().lock());
    let written = match args.format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &rows).map_err(io::Error::from).and_then(|()| writeln!(out))
        }
        ListFormat::Text => write_table(&rows, &mut out),
    };
    match written.and_then(|()| out.flush()) {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => Err(Failure::new(format!("cannot write output: {err}"))),
        _ => Ok(Outcome::Clean),
    }
}

fn write_table(rows: &[DetectorOut<'_>], out: &mut impl Write) -> io::Result<()> {
    let id_width = rows.iter().map(|r| r.id.len()).max().unwrap_or(0).max(2);
    let entity_width = rows.iter().map(|r| r.entity.len()).max().unwrap_or(0).max(6);
    writeln!(out, "{:id_width$}  {:entity_width$}  SH  DESCRIPTION", "ID", "ENTITY")?;
    for row in rows {
        writeln!(
            out,
            "{:id_width$}  {:entity_width$}  {:2}  {}",
            row.id, row.entity, row.safe_harbor, row.description
        )?;
    }
    Ok(())
}

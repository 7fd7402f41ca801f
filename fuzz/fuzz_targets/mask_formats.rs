//! Any bytes through each structured driver (CSV, TSV, JSON, NDJSON, SQL):
//! no panic, an error or output; JSON that parses before still parses
//! after masking.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use phimask::{mask_format, Engine, Format, FormatOptions, Masker, OnError, Policy};

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::default)
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else { return };
    let format = [Format::Csv, Format::Tsv, Format::Json, Format::Ndjson, Format::Sql][usize::from(selector % 5)];
    let on_error = if selector & 0x80 == 0 { OnError::Fail } else { OnError::Skip };
    let mut m = Masker::new(engine().clone(), Policy::preset("mask").unwrap(), None).unwrap();
    let mut out = Vec::new();
    let result = mask_format(&mut m, format, input, &mut out, &FormatOptions::new().on_error(on_error));
    if result.is_ok() && format == Format::Json && serde_json::from_slice::<serde_json::Value>(input).is_ok() {
        assert!(serde_json::from_slice::<serde_json::Value>(&out).is_ok(), "masked JSON does not parse");
    }
});

//! Any bytes: the scan must not panic, and every finding must lie inside
//! the input, in order, on char boundaries when the input is UTF-8.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use phimask::Engine;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::default)
}

fuzz_target!(|data: &[u8]| {
    let findings = engine().scan_bytes(data);
    let mut last = 0;
    for f in &findings {
        assert!(f.start() < f.end() && f.end() <= data.len());
        assert!(f.start() >= last, "findings overlap or are out of order");
        last = f.end();
        if let Ok(text) = std::str::from_utf8(data) {
            assert!(text.is_char_boundary(f.start()) && text.is_char_boundary(f.end()));
        }
    }
});

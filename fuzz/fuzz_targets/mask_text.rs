//! Any bytes through `mask` and `tokenize`: no panic; valid UTF-8 stays
//! valid UTF-8; tokenize then unmask gives the input back except where a
//! value fell back to one-way masking (counted).
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use phimask::{Engine, Key, Masker, Policy};

fn key() -> &'static Key {
    static KEY: OnceLock<Key> = OnceLock::new();
    KEY.get_or_init(|| Key::from_bytes((0..32u8).map(|i| i.wrapping_mul(73) ^ 0x5c).collect()).unwrap())
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::default)
}

fuzz_target!(|data: &[u8]| {
    let mut m = Masker::new(engine().clone(), Policy::preset("mask").unwrap(), None).unwrap();
    let out = m.mask_bytes(data);
    if std::str::from_utf8(data).is_ok() {
        assert!(std::str::from_utf8(&out).is_ok(), "mask broke UTF-8");
    }
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut t = Masker::new(engine().clone(), Policy::preset("tokenize").unwrap(), Some(key().clone())).unwrap();
    let tokens = t.mask_str(text);
    let mut u = Masker::unmasker(engine().clone(), Policy::preset("tokenize").unwrap(), Some(key().clone())).unwrap();
    let back = u.unmask_str(&tokens).unwrap();
    let masked_any = t.stats().by_entity.keys().any(|(_, op)| *op != "tokenize");
    if !masked_any {
        assert_eq!(back, text, "tokenize -> unmask is not exact");
    }
});

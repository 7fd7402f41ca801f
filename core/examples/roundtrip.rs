//! Measures how often `tokenize` → `unmask` restores each finding exactly:
//! `cargo run --release -p phimask --example roundtrip -- FILE...`
//! (`SHOW=NAME` prints the failures of one entity: synthetic corpora only).
use phimask::{Engine, Key, Masker, Policy};
use std::collections::BTreeMap;

fn main() {
    let key = Key::from_bytes(vec![9; 32]).unwrap();
    let engine = Engine::default();
    let mut masker = Masker::new(engine.clone(), Policy::preset("tokenize").unwrap(), Some(key)).unwrap();
    let mut by_entity: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let show = std::env::var("SHOW").ok();
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            let masked = masker.mask_str(line);
            let back = masker.unmask_str(&masked).unwrap();
            let ok_line = back == line;
            for f in engine.scan(line) {
                let e = by_entity.entry(f.entity().to_string()).or_default();
                e.0 += 1;
                // A finding survives when its text is back in place.
                if ok_line || back.get(f.span()) == Some(&line[f.span()]) {
                    e.1 += 1;
                } else if show.as_deref() == Some(f.entity().as_str()) {
                    // Synthetic test data only: this tool is for corpora, never for real PHI.
                    println!("{:?}\n  -> {:?}\n  -> {:?}", &line[f.span()], masked, back);
                }
            }
        }
    }
    for (entity, (n, ok)) in by_entity {
        println!("{entity:14} {ok:6}/{n:<6} {:.3}", f64::from(ok) / f64::from(n));
    }
}

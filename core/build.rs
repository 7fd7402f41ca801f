//! Fills the name model's word table from the embedded lists at compile
//! time (see `src/patterns/wordtable.rs`): hashing the ~75,000 listed words
//! was an eighth of a one-file `phimask scan`.

#[path = "src/patterns/wordtable.rs"]
#[allow(dead_code)]
mod wordtable;

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let names = manifest.join("../patterns/names");
    println!("cargo:rerun-if-changed=src/patterns/wordtable.rs");
    let mut texts = Vec::new();
    for &(flag, file) in wordtable::LIST_FILES {
        let path = names.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        texts.push((flag, text, path));
    }
    let lists: Vec<(u16, &str)> = texts.iter().map(|(flag, text, _)| (*flag, text.as_str())).collect();
    let (all, spots) = wordtable::build(&lists);
    let mut src = String::new();
    table(&mut src, "ALL_SLOTS", "The table of every listed word.", &all);
    table(&mut src, "SPOT_SLOTS", "The small table of titles, particles and places.", &spots);
    // The lists themselves stay embedded (tokenization and the tests walk
    // them), from the same files.
    src.push_str("/// Word lists as `(flag, embedded text)`.\nconst LISTS: &[(u16, &str)] = &[\n");
    for (flag, _, path) in &texts {
        let path = path.canonicalize().expect("the list was just read");
        writeln!(src, "    ({flag}, include_str!({:?})),", path.display().to_string()).expect("writing to a String");
    }
    src.push_str("];\n");
    std::fs::write(out.join("word_lists.rs"), src).expect("OUT_DIR is writable");
}

/// Appends `slots` as a `static` array named `name`.
fn table(src: &mut String, name: &str, doc: &str, slots: &[u64]) {
    writeln!(src, "/// {doc}\nstatic {name}: [u64; {}] = [", slots.len()).expect("writing to a String");
    for row in slots.chunks(16) {
        let row: Vec<String> = row.iter().map(|&s| if s == 0 { "0".into() } else { format!("{s:#x}") }).collect();
        writeln!(src, "    {},", row.join(", ")).expect("writing to a String");
    }
    src.push_str("];\n");
}

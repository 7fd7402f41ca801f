//! Prints the findings for each file named on the command line (debug aid).
fn main() {
    let e = phimask::Engine::default();
    for path in std::env::args().skip(1) {
        let t = std::fs::read_to_string(&path).unwrap();
        for f in e.scan(&t) {
            println!("{f} {:?}", &t[f.span()]);
        }
    }
}

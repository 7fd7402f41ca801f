fn main() {
    let e = phimask::Engine::default();
    for (f, v) in [
        ("first_name", "Hiroshi"),
        ("last_name", "Rossi"),
        ("name", "Liam Chen"),
        ("family", "O'Brien"),
        ("given", "Priya"),
        ("patient_id", "17784483"),
        ("mrn", "17784483"),
        ("dob", "19660921"),
        ("zip", "02118"),
        ("phone", "(986) 321-9996"),
        ("name", "Widget"),
        ("name", "express"),
        ("value", "72590981"),
    ] {
        let found: Vec<_> = e.scan_field(f, v).iter().map(|x| format!("{} {}", x.entity(), &v[x.span()])).collect();
        println!("{f}={v}: {found:?} entity_for_field={:?}", e.entity_for_field(f));
    }
}

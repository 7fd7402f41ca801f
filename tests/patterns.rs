//! Every default detector's `match` / `no_match` examples, run through the
//! default engine, plus the issue table's must / must-not cases.

use phimask::{Engine, Entity};

#[test]
fn every_detector_example_holds() {
    let engine = Engine::default();
    let mut failures = Vec::new();
    for d in engine.detectors() {
        for text in &d.matches {
            if !engine.scan(text).iter().any(|f| f.entity() == d.entity) {
                failures.push(format!("{}: match {:?} not found as {}", d.id, text, d.entity));
            }
        }
        for text in &d.no_match {
            let found: Vec<_> = engine.scan(text).into_iter().filter(|f| f.entity() == d.entity).collect();
            if !found.is_empty() {
                failures.push(format!("{}: no_match {:?} found as {:?}", d.id, text, found));
            }
        }
    }
    assert!(failures.is_empty(), "{} failing examples:\n{}", failures.len(), failures.join("\n"));
    engine.verify_examples().unwrap();
}

fn found(text: &str) -> Vec<(Entity, String)> {
    Engine::default().scan(text).into_iter().map(|f| (f.entity(), text[f.span()].to_string())).collect()
}

fn has(text: &str, entity: Entity, value: &str) {
    let got = found(text);
    assert!(got.iter().any(|(e, v)| *e == entity && v == value), "{text:?}: expected {entity} {value:?}, got {got:?}");
}

fn lacks(text: &str, entity: Entity) {
    let got = found(text);
    assert!(!got.iter().any(|(e, _)| *e == entity), "{text:?}: unexpected {entity} in {got:?}");
}

#[test]
fn dates_and_event_times() {
    for (text, value) in [
        ("DOB 03/14/1962", "03/14/1962"),
        ("born 3-14-62", "3-14-62"),
        ("admitted 1962-03-14", "1962-03-14"),
        ("March 14, 1962", "March 14, 1962"),
        ("14 Mar 1962", "14 Mar 1962"),
        ("Mar-14-1962", "Mar-14-1962"),
        ("seen 7/22 for follow up", "7/22"),
    ] {
        has(text, Entity::Date, value);
    }
    for text in [
        "founded in 1992",
        "took 10:22:01",
        "lasted 3 hours",
        "version 1.2.3",
        "2024-01-15T10:22:01Z INFO request ok",
        "2024-01-15 10:22:01,123 WARN retry",
        r#"{"ts":"2024-01-15T10:22:01Z","msg":"ok"}"#,
        "time=2024-01-15T10:22:01Z level=info",
        r#"{"@timestamp": "2024-01-15T10:22:01.000Z"}"#,
    ] {
        lacks(text, Entity::Date);
    }
    // A patient-date label overrides the event-time rule.
    has("dob=2024-01-15", Entity::Date, "2024-01-15");
}

#[test]
fn identifiers_need_their_context() {
    has("SSN: 536228726", Entity::Ssn, "536228726");
    lacks("request 536228726 took 3ms", Entity::Ssn);
    has("MRN: 00123456", Entity::Mrn, "00123456");
    lacks("order 00123456 shipped", Entity::Mrn);
    has("ZIP 02115", Entity::Zip, "02115");
    lacks("processed 02115 rows", Entity::Zip);
    has("Boston, MA 02115", Entity::Zip, "02115");
    has("Boston, MA 02115", Entity::City, "Boston");
}

#[test]
fn ages_over_89_only() {
    has("a 92 year old woman", Entity::AgeOver89, "92");
    has("age: 95", Entity::AgeOver89, "95");
    has("93yo M", Entity::AgeOver89, "93");
    has("91 y/o", Entity::AgeOver89, "91");
    lacks("an 89 year old", Entity::AgeOver89);
}

#[test]
fn a_heading_label_takes_no_value_before_it() {
    // Regression: `MRN:` took the number before it as its value (found by
    // the mask round-trip property test).
    let got = found("SSN 900-11-1000 MRN: 00123456");
    assert!(!got.iter().any(|(e, v)| *e == Entity::Mrn && v == "900-11-1000"), "{got:?}");
    has("SSN 900-11-1000 MRN: 00123456", Entity::Mrn, "00123456");
    let got = found("MRN: 00123456 SSN 666-11-1050 call (617) 555-0123");
    assert!(!got.iter().any(|(_, v)| v == "666-11-1050"), "{got:?}");
    has("089 72 63 41 office", Entity::Phone, "089 72 63 41");
}

#[test]
fn contact_shapes_and_lookalikes() {
    has("Fax: (617) 555-0199", Entity::Fax, "(617) 555-0199");
    // The extension is part of the number that reaches the person.
    has("tel +1 (617) 555-0123 ext. 4", Entity::Phone, "+1 (617) 555-0123 ext. 4");
    lacks("id 550e8400-e29b-41d4-a716-446655440000", Entity::Phone);
    lacks("pi is 3.14159265358", Entity::Phone);
    has("ping 192.168.10.1 ok", Entity::Ip, "192.168.10.1");
    lacks("build 1.2", Entity::Ip);
    has("mail jdoe@example.org now", Entity::Email, "jdoe@example.org");
}

/// Source trees are what the git hook scans: code paths that are also
/// valid compressed IPv6 (`c::`, `dfa::DFA`, `E::A`) and Go import paths
/// are not addresses or URLs; the same shapes in an address's place are.
#[test]
fn code_is_not_an_address_or_a_url() {
    let code = r#"
use std::ffi::c_int;
let x = c::foo(f64::MAX, F::from(1), <D::Error as de::Error>::custom("x"));
use de::{self, Visitor};
let v = Vec::<u8>::new(); let s = dfa::DFA::new(); DFA::DEAD; Add::add(a, b); E::A; c::B0;
f :: Int -> Int
import "github.com/pkg/errors"
self.net = Net()
"#;
    let got = found(code);
    assert!(!got.iter().any(|(e, _)| matches!(e, Entity::Ip | Entity::Url)), "{got:?}");
    has("listen [fe80::1]:8080", Entity::Ip, "fe80::1");
    has("route ::/0 via fe80::1", Entity::Ip, "::/0");
    has("bind address ::", Entity::Ip, "::");
    has("visit webmd.com for more", Entity::Url, "webmd.com");
}

#[test]
fn names_with_evidence_and_without() {
    has("pt John Smith MRN 00123456", Entity::Name, "John Smith");
    has("wife Mary at bedside", Entity::Name, "Mary");
    has("PID|1||12345||DOE^JANE||19620314|F", Entity::Name, "DOE^JANE");
    has("Name: Garcia, Maria", Entity::Name, "Garcia, Maria");
    has("Mr. Jaworski was seen", Entity::Name, "Jaworski");
    for text in [
        "Will you sign here?",
        "May I help you?",
        "Bill the insurer",
        "Hope is a good thing",
        "Foley catheter placed",
        "history of Parkinson's disease",
        "Glasgow Coma Scale 15",
    ] {
        lacks(text, Entity::Name);
    }
}

#[test]
fn checksums_gate_numbers() {
    has("card 4111 1111 1111 1111", Entity::CreditCard, "4111 1111 1111 1111");
    lacks("card 4111 1111 1111 1112", Entity::CreditCard);
    has("NPI 1234567893", Entity::Npi, "1234567893");
    has("DEA AB1234563", Entity::Dea, "AB1234563");
    has("VIN 1HGCM82633A004352", Entity::VehicleId, "1HGCM82633A004352");
    lacks("INTRODUCTORY", Entity::LicenseNumber);
}

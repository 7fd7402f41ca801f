//! Person evidence (what `phimask scan` and the hook report): hard
//! negatives from ordinary repositories and logs stay quiet, patient
//! records in every common shape are still found. Every value is made up.

use phimask::{Engine, Entity, Evidence, TextKind};

fn hook() -> Engine {
    Engine::builder().person_evidence(true).build().expect("default pack")
}

/// What the hook reports for `text` read as `kind`: (entity, value).
fn reported(kind: TextKind, text: &str) -> Vec<(Entity, String)> {
    hook().for_text(kind).scan(text).iter().map(|f| (f.entity(), text[f.span()].to_string())).collect()
}

#[track_caller]
fn quiet(kind: TextKind, text: &str) {
    let found = reported(kind, text);
    assert!(found.is_empty(), "{text:?}\n  reported {found:?}");
}

#[track_caller]
fn finds(kind: TextKind, text: &str, entity: Entity, value: &str) {
    let found = reported(kind, text);
    assert!(found.iter().any(|(e, v)| *e == entity && v == value), "{text:?}\n  {entity} {value:?} not in {found:?}");
}

#[test]
fn licence_headers_are_quiet() {
    quiet(
        TextKind::Code,
        "/* You should have received a copy of the GNU Lesser General Public License\n * along with this library; if not, write to the Free Software Foundation, Inc.,\n * 51 Franklin Street, Fifth Floor, Boston, MA 02110-1301 USA */\n",
    );
    quiet(TextKind::Data, "Copyright (c) 2015-2023 Ann Lee <ann.lee@gmail.com>\nLicense: BSD-3-Clause\n");
    // A date and an author beside the office address: still no person's record.
    let header = "/* Created: 2003-05-12 by Ann Lee <ann.lee@gmail.com>\n * Copyright (C) Free Software Foundation, Inc.,\n * 51 Franklin Street, Fifth Floor, Boston, MA 02110-1301 USA */\n";
    quiet(TextKind::Code, header);
    quiet(TextKind::Data, header);
    quiet(
        TextKind::Data,
        "                    GNU GENERAL PUBLIC LICENSE\n                       Version 3, 29 June 2007\n",
    );
}

#[test]
fn changelogs_authors_and_lock_files_are_quiet() {
    quiet(
        TextKind::Data,
        "## 2.31.0 (2023-05-22)\n\n- Fixed a bug (#6455). Thanks @someone\n\n## v1.2.0 - March 3, 2021\n",
    );
    quiet(
        TextKind::Data,
        "Ann Lee <ann.lee@gmail.com>\nBob Stone <bob@stone.dev>\nCarla Diaz <carla.diaz@outlook.com>\n",
    );
    quiet(
        TextKind::Data,
        "[[package]]\nname = \"aho-corasick\"\nversion = \"1.1.3\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
    );
    quiet(
        TextKind::Data,
        "\"node_modules/accepts\": {\n  \"version\": \"1.3.8\",\n  \"resolved\": \"https://registry.npmjs.org/accepts/-/accepts-1.3.8.tgz\",\n  \"author\": \"Douglas Christopher Wilson <doug@somethingdoug.com>\"\n}\n",
    );
    quiet(
        TextKind::Data,
        "# Release 4.18.2 / 2022-10-08\n\n * Fix regression routing a large stack in a single route\n",
    );
}

#[test]
fn certificate_bundles_are_quiet() {
    quiet(
        TextKind::Data,
        "# Issuer: CN=GlobalSign Root CA O=GlobalSign nv-sa OU=Root CA\n# Subject: CN=GlobalSign Root CA\n# Serial: 4835703278459707669005204\n# SHA1 Fingerprint: b1:bc:96:8b:d4:f4:9d:62:2a:a8:9a:81:f2:15:01:52:a4:1d:82:9c\n# MD5 Fingerprint: 3e:45:52:15:09:51:92:e1:b7:5d:37:9f:b1:87:29:8a\n        Serial Number: 04:00:00:00:00:01:15:4b:5a:c3:94\n",
    );
}

#[test]
fn logs_are_quiet() {
    for line in [
        "Sun Dec 04 04:47:44 2005 [error] mod_jk child workerEnv in error state 6",
        "Nov  9 12:01:01 host1 CRON[4242]: (root) CMD (run-parts /etc/cron.hourly)",
        "081109 203615 148 INFO dfs.DataNode$PacketResponder: Received block blk_-1608999687919862906 of size 91178 from /10.250.10.6",
        "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326",
        "2024-01-15T10:22:01.123Z INFO request id=4111111111111111 took 12ms",
        "[2024-01-15 10:22:01,113] WARN worker-3 order 4012888888881881 retried by John Carter",
        "Jan 15 10:22:01 web sshd[915]: Accepted publickey for deploy from 203.0.113.9 port 51234",
        "MainThread::INFO::2011-12-05 07:04:56,101::vdsm::71::vds::(run) I am the actual vdsm 4.9-0",
    ] {
        quiet(TextKind::Data, line);
    }
}

#[test]
fn code_that_handles_patients_is_quiet() {
    quiet(
        TextKind::Code,
        "const patient = await client.patient.read();\n// see https://docs.smarthealthit.org/client-js/\nfetch(`${base}/Patient/${id}`)\n",
    );
    quiet(TextKind::Code, "self.create_resource('Patient', birthDate='1901-05-25')\n");
    quiet(TextKind::Code, "{\"id\":243,\"kind\":256,\"name\":\"Patient\",\"url\":\"interfaces/fhir.patient.html\"}\n");
    quiet(TextKind::Code, "const state = { patient: \"eb3271e1-ae1b-4644-9332-41e32c829486\", url: \"https://launch.smarthealthit.org\" };\n");
    // A minified line: `patient` in documentation strings beside URLs.
    let minified = format!(
        "{}{{name:\"identifier\",definition:\"http://hl7.org/fhir/profiles/RelatedPerson\",type:\"token\",documentation:\"A patient Identifier\"}}{}",
        "var a=1;".repeat(200),
        "b=2;".repeat(300)
    );
    quiet(TextKind::Code, &minified);
}

#[test]
fn patient_records_are_found_in_every_shape() {
    // CSV under its header.
    let csv = "patient_id,first_name,last_name,dob,phone\n84412093,Maria,Okafor,1958-07-04,617-867-5309\n";
    finds(TextKind::Data, csv, Entity::Name, "Maria");
    finds(TextKind::Data, csv, Entity::Name, "Okafor");
    finds(TextKind::Data, csv, Entity::Date, "1958-07-04");
    finds(TextKind::Data, csv, Entity::OtherId, "84412093");
    // A pretty-printed JSON object, and a Python dict in source code.
    let json = "{\n  \"name\": \"Maria Okafor\",\n  \"birthDate\": \"1958-07-04\",\n  \"phone\": \"617-867-5309\"\n}\n";
    finds(TextKind::Data, json, Entity::Name, "Maria Okafor");
    finds(TextKind::Code, json, Entity::Name, "Maria Okafor");
    finds(TextKind::Code, json, Entity::Phone, "617-867-5309");
    // SQL tuples under their column list.
    let sql = "INSERT INTO patients (first_name, last_name, dob) VALUES\n  ('Maria', 'Okafor', '1958-07-04'),\n  ('Wei', 'Chen', '1971-02-11');\n";
    finds(TextKind::Data, sql, Entity::Name, "Wei");
    finds(TextKind::Data, sql, Entity::Date, "1971-02-11");
    // HL7 v2 by field position.
    let hl7 = "MSH|^~\\&|EPIC|HOSP|LAB|HOSP|20240115102201||ADT^A01|MSG1|P|2.5\rPID|1||84412093^^^HOSP^MR||OKAFOR^MARIA||19580704|F|||12 ELM STREET^^DENVER^CO^80203\r";
    finds(TextKind::Data, hl7, Entity::Date, "19580704");
    finds(TextKind::Data, hl7, Entity::Address, "12 ELM STREET");
    finds(TextKind::Data, hl7, Entity::Zip, "80203");
    // A FHIR Patient resource, pretty-printed: the resource labels it all.
    let fhir = "{\n  \"resourceType\": \"Patient\",\n  \"name\": [\n    {\n      \"family\": \"Okafor\",\n      \"given\": [\n        \"Maria\"\n      ]\n    }\n  ],\n  \"gender\": \"female\",\n  \"active\": true,\n  \"deceasedBoolean\": false,\n  \"maritalStatus\": {\"text\": \"M\"},\n  \"telecom\": [\n    {\n      \"system\": \"phone\",\n      \"value\": \"(617) 867-5309\"\n    }\n  ]\n}\n";
    finds(TextKind::Data, fhir, Entity::Name, "Maria");
    finds(TextKind::Data, fhir, Entity::Phone, "(617) 867-5309");
    // A log line, and a chart excerpt whose name heads its section.
    finds(
        TextKind::Data,
        "2024-01-15 10:22:01 INFO registered patient name=\"Maria Okafor\" dob=1958-07-04",
        Entity::Name,
        "Maria Okafor",
    );
    let chart = "## Maria Okafor\n\nSeen 2024-01-15 for chest pain. DOB 07/04/1958, MRN 84412093.\n";
    finds(TextKind::Data, chart, Entity::Name, "Maria Okafor");
    // Names right after an identifier or a date.
    finds(TextKind::Data, "SSN 536-22-8726 John Smith", Entity::Name, "John Smith");
    finds(TextKind::Data, "MRN 00482913 John Smith", Entity::Name, "John Smith");
    finds(TextKind::Data, "DOB 03/14/1962 Jane Doe", Entity::Name, "Jane Doe");
    // A card beside its label stands alone; so does a formatted SSN.
    finds(TextKind::Code, "charge(card=\"4111 1111 1111 1111\")", Entity::CreditCard, "4111 1111 1111 1111");
    finds(TextKind::Code, "x = \"536-22-8726\"", Entity::Ssn, "536-22-8726");
}

#[test]
fn each_finding_says_why() {
    let engine = hook();
    let text = "DOB: 1958-07-04\nSSN 536-22-8726\nAnn Lee, 1958-07-04, 617-867-5309\n";
    let found = engine.scan(text);
    let why: Vec<(&str, Evidence)> = found.iter().map(|f| (&text[f.span()], f.evidence())).collect();
    assert!(why.contains(&("536-22-8726", Evidence::Identifier)), "{why:?}");
    assert!(why.contains(&("1958-07-04", Evidence::BesideIdentifier)), "{why:?}");
    // Without the rule, every finding says so.
    let all = Engine::default().scan(text);
    assert!(all.iter().all(|f| f.evidence() == Evidence::Unchecked));
    assert!(all.len() >= found.len());
    // The reasons print without any value.
    for f in &found {
        let shown = f.evidence().to_string();
        assert!(!shown.contains("1958") && !shown.contains("8726") && !shown.contains("Ann"), "{shown}");
    }
}

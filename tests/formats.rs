//! Structured-format drivers: CSV/TSV, JSON and NDJSON, golden style.

use phimask::{
    mask_format, Engine, Entity, ErrorKind, Format, FormatOptions, FormatReport, Key, Masker, OnError, Policy,
};

fn key(byte: u8) -> Key {
    Key::from_bytes(test_key(byte)).unwrap()
}

fn masker(policy: &str) -> Masker {
    let key = Policy::preset(policy).unwrap().needs_key().then(|| key(9));
    Masker::new(Engine::default(), Policy::preset(policy).unwrap(), key).unwrap()
}

fn run(
    m: &mut Masker,
    format: Format,
    input: &str,
    options: &FormatOptions,
) -> Result<(String, FormatReport), phimask::Error> {
    let mut out = Vec::new();
    let report = mask_format(m, format, input.as_bytes(), &mut out, options)?;
    Ok((String::from_utf8(out).unwrap(), report))
}

fn mask(policy: &str, format: Format, input: &str) -> String {
    run(&mut masker(policy), format, input, &FormatOptions::new()).unwrap().0
}

const CSV: &str = "\
patient_name,MRN,SSN,dob,phone,notes,visit_count
John Smith,00123456,123-45-6789,03/14/1962,(617) 555-0123,\"pt called from 617-555-0199, \"\"urgent\"\"\",3
Mary Jones,00987654,987-65-4321,11/02/1975,617.555.0456,follow-up in two weeks,1
John Smith,00123456,123-45-6789,03/14/1962,(617) 555-0123,,2
";

#[test]
fn entity_for_field_reads_the_detectors_fields() {
    let engine = Engine::default();
    assert_eq!(engine.entity_for_field("Patient-Name"), Some(Entity::Name));
    assert_eq!(engine.entity_for_field("SSN"), Some(Entity::Ssn));
    assert_eq!(engine.entity_for_field("mrn"), Some(Entity::Mrn));
    assert_eq!(engine.entity_for_field("DOB"), Some(Entity::Date));
    assert_eq!(engine.entity_for_field("zip"), Some(Entity::Zip));
    assert_eq!(engine.entity_for_field("notes"), None);
    assert_eq!(engine.entity_for_field(""), None);
}

#[test]
fn csv_mask_policy_masks_named_columns_whole_and_scans_free_text() {
    let out = mask("mask", Format::Csv, CSV);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "patient_name,MRN,SSN,dob,phone,notes,visit_count", "header copied");
    let row: Vec<&str> = lines[1].splitn(6, ',').collect();
    assert!(!row[0].contains("Smith"), "{out}");
    assert!(!row[1].contains("00123456"), "{out}");
    assert_eq!(row[2], "***-**-6789");
    assert!(!lines[1].contains("555-0199"), "free text scanned: {out}");
    assert!(lines[1].contains("\"\"urgent\"\"\""), "quotes re-written: {out}");
    assert!(lines[1].ends_with(",3"), "{out}");
    assert!(lines[3].ends_with(",,2"), "empty cell stays empty: {out}");
    for secret in ["John Smith", "Mary Jones", "123-45-6789", "987-65-4321", "555-0123", "555-0456", "03/14/1962"] {
        assert!(!out.contains(secret), "{secret} leaked: {out}");
    }
    assert_eq!(lines.len(), 4);
    assert!(out.ends_with('\n'));
}

#[test]
fn csv_tokenize_is_joinable_and_keyed() {
    let out = mask("tokenize", Format::Csv, CSV);
    let rows: Vec<Vec<&str>> = out.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert_ne!(rows[0][1], "00123456");
    assert_eq!(rows[0][1].len(), 8);
    assert!(rows[0][1].bytes().all(|b| b.is_ascii_digit()), "{out}");
    assert_eq!(rows[0][1], rows[2][1], "same MRN, same token: {out}");
    assert_eq!(rows[0][2], rows[2][2], "same SSN, same token");
    assert_ne!(rows[0][1], rows[1][1]);
    assert_eq!(out, mask("tokenize", Format::Csv, CSV), "deterministic");
    let other = Masker::new(Engine::default(), Policy::preset("tokenize").unwrap(), Some(key(10))).unwrap();
    let (other, _) = run(&mut { other }, Format::Csv, CSV, &FormatOptions::new()).unwrap();
    assert_ne!(other, out, "differs across keys");
}

#[test]
fn csv_rows_without_phi_and_blank_lines_are_copied_byte_for_byte() {
    let input = "id,notes\r\n1,\"nothing here\"\r\n\r\n2,SSN 123-45-6789\r\n3,\"ok\"";
    let out = mask("mask", Format::Csv, input);
    assert_eq!(out, "id,notes\r\n1,\"nothing here\"\r\n\r\n2,SSN ***-**-6789\r\n3,\"ok\"");
}

#[test]
fn tsv_uses_tabs() {
    let input = "patient_name\tssn\tcomment\nJane Roe\t123-45-6789\ta, b\n";
    let out = mask("label", Format::Tsv, input);
    assert_eq!(out, "patient_name\tssn\tcomment\n[NAME_1]\t[SSN_1]\ta, b\n");
}

#[test]
fn subject_column_keeps_intervals_within_a_subject() {
    let policy = Policy::from_toml(
        "[default]\noperator = 'mask'\n[entity.DATE]\noperator = 'date-shift'\n",
        std::path::Path::new("p.toml"),
    )
    .unwrap();
    let input = "patient_id,admit_date,discharge_date\nP-0001,03/01/2020,03/11/2020\nP-0002,03/01/2020,03/11/2020\nP-0001,04/01/2020,04/03/2020\n";
    let mut m = Masker::new(Engine::default(), policy, Some(key(7))).unwrap();
    let options = FormatOptions::new().subject_field(Some("Patient ID"));
    let (out, report) = run(&mut m, Format::Csv, input, &options).unwrap();
    assert_eq!(report.records, 3);
    let day = |s: &str| {
        let v: Vec<i64> = s.split('/').map(|x| x.parse().unwrap()).collect();
        // Days since an epoch, good enough for intervals within 2019-2021.
        let cum = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
        v[2] * 365
            + cum[(v[0] - 1) as usize]
            + v[1]
            + if v[2] == 2020 && v[0] > 2 { 1 } else { 0 }
            + (v[2] - 2019).max(0) / 2
    };
    let rows: Vec<Vec<&str>> = out.lines().skip(1).map(|l| l.split(',').collect()).collect();
    for row in &rows {
        assert_ne!(row[1], "03/01/2020");
    }
    assert_eq!(day(rows[0][2]) - day(rows[0][1]), 10, "{out}");
    assert_eq!(day(rows[2][2]) - day(rows[2][1]), 2, "{out}");
    assert_eq!(day(rows[2][1]) - day(rows[0][1]), 31, "one subject moves together: {out}");
    assert_ne!(rows[0][1], rows[1][1], "another subject moves differently: {out}");

    let missing = FormatOptions::new().subject_field(Some("person"));
    let err = run(&mut masker("mask"), Format::Csv, input, &missing).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
}

const BAD_CSV: &str = "name,ssn,notes\nJohn Smith,123-45-6789,ok\nMary Jones,987-65-4321,extra,SSN 111-22-3333\nAnn Lee,222-33-4444,\"fine\"\n";

#[test]
fn malformed_csv_row_fails_naming_the_line_and_no_content() {
    let err = run(&mut masker("mask"), Format::Csv, BAD_CSV, &FormatOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Input);
    assert_eq!(err.line(), Some(3));
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("line 3"), "{shown}");
    for secret in ["Mary", "Jones", "987-65-4321", "111-22-3333", "extra"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }

    let unclosed = "name,notes\nJohn Smith,\"open quote\n";
    let err = run(&mut masker("mask"), Format::Csv, unclosed, &FormatOptions::new()).unwrap_err();
    assert_eq!(err.line(), Some(2), "{err}");
}

#[test]
fn malformed_csv_row_with_skip_is_reported_and_masked_as_text() {
    let mut m = masker("mask");
    let options = FormatOptions::new().on_error(OnError::Skip);
    let (out, report) = run(&mut m, Format::Csv, BAD_CSV, &options).unwrap();
    assert_eq!(report.records, 2);
    assert_eq!(report.skipped, 1);
    assert_eq!(report.skipped_lines, vec![3]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "never dropped: {out}");
    assert_eq!(lines[2], m_mask_text(), "{out}");
    for secret in ["987-65-4321", "111-22-3333", "123-45-6789", "222-33-4444"] {
        assert!(!out.contains(secret), "{secret} leaked: {out}");
    }
    let shown = format!("{report:?} {:?}", m.stats());
    assert!(!shown.contains("Mary") && !shown.contains("4321"), "{shown}");
}

/// The bad row of [`BAD_CSV`] masked as plain text.
fn m_mask_text() -> String {
    masker("mask").mask_str("Mary Jones,987-65-4321,extra,SSN 111-22-3333")
}

#[test]
fn json_nested_keys_are_context() {
    let input = r#"{"patient":{"name":"John Smith","mrn":"00123456","ssn":"123-45-6789","active":true,"notes":"call 617-555-0123","emergency_contact":null},"visits":[{"date":"03/14/2020","summary":"seen by Dr. Mary Jones"}],"count":2}"#;
    let out = mask("label", Format::Json, input);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["patient"]["name"], "[NAME_1]");
    assert_eq!(v["patient"]["mrn"], "[MRN_1]");
    assert_eq!(v["patient"]["ssn"], "[SSN_1]");
    assert_eq!(v["patient"]["active"], true);
    assert_eq!(v["patient"]["emergency_contact"], serde_json::Value::Null);
    assert_eq!(v["patient"]["notes"], "call [PHONE_1]");
    assert_eq!(v["visits"][0]["date"], "[DATE_1]");
    assert!(!v["visits"][0]["summary"].as_str().unwrap().contains("Jones"), "{out}");
    assert_eq!(v["count"], 2);
    // Key order kept and a one-line document stays on one line.
    assert!(out.starts_with(r#"{"patient":{"name":"#), "{out}");
    assert!(!out.contains('\n'));
}

#[test]
fn json_number_mrn_keeps_its_type_under_tokenize() {
    let input =
        "{\n  \"mrn\": 12345678,\n  \"phone\": 6175550123,\n  \"age\": 42,\n  \"ids\": [55512345, 44412345]\n}\n";
    let out = mask("tokenize", Format::Json, input);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let token = &v["mrn"];
    assert!(token.is_number(), "a token without a leading zero stays a number: {out}");
    // A token with a leading zero cannot be a JSON number: it becomes a string.
    let phone = v["phone"].to_string();
    let phone = phone.trim_matches('"');
    assert_eq!(v["phone"].is_number(), !phone.starts_with('0'), "{out}");
    assert!(phone.len() == 10 && phone != "6175550123", "{out}");
    assert_eq!(v["age"], 42, "under 90: not PHI");
    assert_eq!(v["ids"], serde_json::json!([55512345, 44412345]), "no key naming an entity: {out}");
    assert_ne!(token.to_string(), "12345678");
    assert_eq!(token.to_string().trim_matches('"').len(), 8);
    assert!(out.contains('\n'), "pretty input stays pretty: {out}");
    assert!(out.ends_with("}\n"));
    // Same value, same token (joinable), through another masker with the key.
    assert_eq!(out, mask("tokenize", Format::Json, input));
    // Under `mask` the digits are starred, so the value becomes a string.
    let masked: serde_json::Value = serde_json::from_str(&mask("mask", Format::Json, input)).unwrap();
    assert!(masked["mrn"].is_string(), "{masked}");
    assert!(!masked["mrn"].as_str().unwrap().contains("12345678"));
}

#[test]
fn json_numbers_become_numbers_only_when_plain() {
    // A leading zero cannot be a JSON number.
    let input = r#"[{"mrn": 7}]"#;
    let out = mask("label", Format::Json, input);
    assert_eq!(out, r#"[{"mrn": "[MRN_1]"}]"#);
}

const NDJSON: &str = "{\"name\":\"John Smith\",\"ssn\":\"123-45-6789\"}\n\n{\"name\":\"Mary Jones\",\"ssn\":\"234-56-4321\"\n{\"notes\":\"SSN 222-33-4444\",\"n\":1}\r\n";

#[test]
fn ndjson_malformed_line_fails_naming_the_line() {
    let err = run(&mut masker("mask"), Format::Ndjson, NDJSON, &FormatOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Input);
    assert_eq!(err.line(), Some(3));
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("line 3") && !shown.contains("Mary") && !shown.contains("4321"), "{shown}");
}

#[test]
fn ndjson_malformed_line_with_skip_is_reported_and_masked() {
    let mut m = masker("label");
    let (out, report) = run(&mut m, Format::Ndjson, NDJSON, &FormatOptions::new().on_error(OnError::Skip)).unwrap();
    assert_eq!(report.records, 2);
    assert_eq!(report.skipped_lines, vec![3]);
    assert_eq!(
        out,
        "{\"name\":\"[NAME_1]\",\"ssn\":\"[SSN_1]\"}\n\n{\"name\":\"[NAME_2]\",\"ssn\":\"[SSN_2]\"\n{\"notes\":\"SSN [SSN_3]\",\"n\":1}\r\n"
    );
    let shown = format!("{report:?} {:?}", m.stats());
    for secret in ["Smith", "Jones", "6789", "4321", "4444"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[test]
fn ndjson_subject_key_drives_date_shift() {
    let policy = Policy::from_toml(
        "[default]\noperator = 'mask'\n[entity.DATE]\noperator = 'date-shift'\n",
        std::path::Path::new("p.toml"),
    )
    .unwrap();
    let input = "{\"patient_id\":\"P-1\",\"dob\":\"2020-03-01\"}\n{\"patient_id\":\"P-1\",\"dob\":\"2020-03-01\"}\n{\"patient_id\":\"P-2\",\"dob\":\"2020-03-01\"}\n";
    let mut m = Masker::new(Engine::default(), policy, Some(key(7))).unwrap();
    let (out, _) = run(&mut m, Format::Ndjson, input, &FormatOptions::new().subject_field(Some("patient_id"))).unwrap();
    let dobs: Vec<String> =
        out.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["dob"].to_string()).collect();
    assert_eq!(dobs[0], dobs[1], "{out}");
    assert_ne!(dobs[0], dobs[2], "{out}");
    assert_ne!(dobs[0], "\"2020-03-01\"");
}

#[test]
fn malformed_json_document_fails_or_is_skipped() {
    let input = "{\n \"ssn\": \"123-45-6789\",\n \"name\": \n}\n";
    let err = run(&mut masker("mask"), Format::Json, input, &FormatOptions::new()).unwrap_err();
    assert_eq!(err.line(), Some(4));
    assert!(!format!("{err}").contains("6789"));
    let (out, report) =
        run(&mut masker("mask"), Format::Json, input, &FormatOptions::new().on_error(OnError::Skip)).unwrap();
    assert_eq!(report.skipped_lines, vec![4]);
    assert_eq!(out, "{\n \"ssn\": \"***-**-6789\",\n \"name\": \n}\n");
}

#[test]
fn format_from_extension() {
    assert_eq!(Format::from_extension("CSV"), Some(Format::Csv));
    assert_eq!(Format::from_extension("tsv"), Some(Format::Tsv));
    assert_eq!(Format::from_extension("jsonl"), Some(Format::Ndjson));
    assert_eq!(Format::from_extension("ndjson"), Some(Format::Ndjson));
    assert_eq!(Format::from_extension("json"), Some(Format::Json));
    assert_eq!(Format::from_extension("sql"), Some(Format::Sql));
    assert_eq!(Format::from_extension("hl7"), None);
}

#[test]
fn csv_line_numbers_count_blank_lines_crlf_and_multi_line_fields() {
    let input = "id,notes\r\n\r\n1,\"two\r\nlines\"\r\n\r\n2,a,b\r\n3,ok\r\n";
    let err = run(&mut masker("mask"), Format::Csv, input, &FormatOptions::new()).unwrap_err();
    assert_eq!(err.line(), Some(6), "{err}");
    let (out, report) =
        run(&mut masker("mask"), Format::Csv, input, &FormatOptions::new().on_error(OnError::Skip)).unwrap();
    assert_eq!(out, input, "nothing to mask: byte for byte");
    assert_eq!((report.records, report.skipped_lines), (2, vec![6]));
}

#[test]
fn d9_csv_fields_keep_their_quoting_and_spaces() {
    // A quoted field stays quoted (a redacted one becomes `""`); an
    // unquoted one is quoted only when its new text needs it; untouched
    // fields of a changed row keep their bytes.
    let input = "ssn,notes\n\"123-45-6789\",\"a, b\"\n";
    assert_eq!(mask("redact", Format::Csv, input), "ssn,notes\n\"\",\"a, b\"\n");
    let input = "id,name,\"count\",note\n\"1\",\"John Smith\",\"2\", pt ok \n2, Jane Doe ,\"3\",\"SSN 123-45-6789\"\n";
    assert_eq!(
        mask("label", Format::Csv, input),
        "id,name,\"count\",note\n\"1\",\"[NAME_1]\",\"2\", pt ok \n2, [NAME_2] ,\"3\",\"SSN [SSN_1]\"\n"
    );
}

#[test]
fn d5_csv_header_cells_holding_phi_are_masked() {
    // A header cell holding PHI is masked; the other cells keep their bytes.
    assert_eq!(
        mask("mask", Format::Csv, "id,123-45-6789,\"John Smith\"\n1,2,3\n"),
        "id,***-**-6789,\"**** *****\"\n1,2,3\n"
    );
    assert_eq!(mask("mask", Format::Csv, "patient_id,name,dob,ssn\n"), "patient_id,name,dob,ssn\n");
}

#[test]
fn age_columns_mask_only_ages_over_89() {
    let out = mask("label", Format::Csv, "age,notes\n42,x\n93,y\n");
    assert_eq!(out, "age,notes\n42,x\n[AGE_OVER_89_1],y\n");
}

/// A fixed key for tests: 32 distinct bytes, a different key per `seed`.
fn test_key(seed: u8) -> Vec<u8> {
    (0..32u8).map(|i| i.wrapping_mul(73).wrapping_add(seed) ^ 0x5c).collect()
}

#[test]
fn d9_json_bytes_that_are_not_phi_are_unchanged() {
    let input = "{ \"id\" : 12345678901234567890123, \"x\": 1.0e0, \"y\": 1.10,\n  \"a\": \"\\u0041\",\t\"ssn\": \"123-45-6789\", \"ok\": [true, null] }\n";
    let out = mask("mask", Format::Json, input);
    assert_eq!(out, input.replace("123-45-6789", "***-**-6789"));
    let lines =
        "{\"n\": 1.10, \"big\": 12345678901234567890123, \"note\": \"SSN 123-45-6789\"}\r\n{ \"z\" :\"\\u00e9\" }\n";
    let out = mask("mask", Format::Ndjson, lines);
    assert_eq!(out, lines.replace("123-45-6789", "***-**-6789"));
}

#[test]
fn d5_json_object_keys_holding_phi_are_masked() {
    let input = r#"{"123-45-6789": {"name": "x"}, "by_ssn": {"234-56-7890": 1}}"#;
    let out = mask("mask", Format::Json, input);
    assert_eq!(out, r#"{"***-**-6789": {"name": "*"}, "by_ssn": {"***-**-7890": 1}}"#);
}

#[test]
fn d4_json_documents_stream_and_subject_records_are_bounded() {
    // Deeply nested valid JSON is read (no recursion), and an absurd depth
    // is an error that says so rather than "not valid JSON".
    let deep = format!("{}\"SSN 123-45-6789\"{}", "[".repeat(2000), "]".repeat(2000));
    assert_eq!(mask("mask", Format::Json, &deep), deep.replace("123-45-6789", "***-**-6789"));
    let too_deep = "[".repeat(20_000);
    let err = run(&mut masker("mask"), Format::Json, &too_deep, &FormatOptions::new()).unwrap_err();
    assert!(err.to_string().contains("deeper than"), "{err}");
    // With a subject field, each element of a top-level array is one record.
    let policy =
        Policy::from_toml("[default]\noperator = 'mask'\n[entity.DATE]\noperator = 'date-shift'\n", "p.toml".as_ref())
            .unwrap();
    let input = "[\n {\"dob\": \"2020-03-01\", \"patient_id\": \"P-1\"},\n {\"patient_id\": \"P-1\", \"dob\": \"2020-03-01\"}\n]\n";
    let mut m = Masker::new(Engine::default(), policy, Some(key(7))).unwrap();
    let (out, _) = run(&mut m, Format::Json, input, &FormatOptions::new().subject_field(Some("patient_id"))).unwrap();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["dob"], v[1]["dob"], "the subject is known before the member that precedes it: {out}");
    assert_ne!(v[0]["dob"], "2020-03-01");
    assert!(out.starts_with("[\n {\"dob\": \"") && out.ends_with("}\n]\n"), "{out}");
}

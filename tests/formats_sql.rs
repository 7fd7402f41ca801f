//! SQL dump driver: `INSERT … VALUES` tuples masked value by value, every
//! other byte copied.

use phimask::{mask_format, Engine, ErrorKind, Format, FormatOptions, FormatReport, Key, Masker, OnError, Policy};

fn masker(policy: &str) -> Masker {
    let policy = Policy::preset(policy).unwrap();
    let key = policy.needs_key().then(|| Key::from_bytes(test_key(7)).unwrap());
    Masker::new(Engine::default(), policy, key).unwrap()
}

fn run(m: &mut Masker, input: &str, options: &FormatOptions) -> Result<(String, FormatReport), phimask::Error> {
    let mut out = Vec::new();
    let report = mask_format(m, Format::Sql, input.as_bytes(), &mut out, options)?;
    Ok((String::from_utf8(out).unwrap(), report))
}

fn mask(policy: &str, input: &str) -> String {
    run(&mut masker(policy), input, &FormatOptions::new()).unwrap().0
}

const MYSQL: &str = "\
-- MySQL dump 10.13
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
DROP TABLE IF EXISTS `patients`;
CREATE TABLE `patients` (
  `id` int NOT NULL AUTO_INCREMENT,
  `patient_name` varchar(100) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB;
LOCK TABLES `patients` WRITE;
INSERT INTO `patients` (`id`, `patient_name`, `ssn`, `notes`, `created`) VALUES (1,'John O\\'Brien','123-45-6789','called 617-555-0123\\nsaid \\\"ok\\\"',NOW()),(2,'Mary Jones','987-65-4321',NULL,'2020-01-01'),(3,'John O\\'Brien','123-45-6789','no phi; here',DEFAULT);
UNLOCK TABLES;
";

#[test]
fn mysqldump_multi_row_insert_with_backslash_escapes() {
    let (out, report) = run(&mut masker("mask"), MYSQL, &FormatOptions::new()).unwrap();
    assert_eq!(report.records, 3);
    assert_eq!(report.skipped, 0);
    for secret in ["O\\'Brien", "Brien", "Mary Jones", "123-45-6789", "987-65-4321", "555-0123"] {
        assert!(!out.contains(secret), "{secret} leaked: {out}");
    }
    assert!(out.contains("'***-**-6789'"), "{out}");
    assert!(out.contains("NOW()),(2,"), "expression and structure kept: {out}");
    assert!(out.contains(",NULL,'****-**-**'),(3,"), "free text scanned: {out}");
    assert!(out.contains(",'no phi; here',DEFAULT);\nUNLOCK TABLES;\n"), "{out}");
    assert!(out.contains("\\n"), "the escaped newline is re-escaped: {out}");
    let before = MYSQL.split("INSERT").next().unwrap();
    assert!(out.starts_with(before), "everything before the INSERT copied");
}

const PG: &str = "\
--
-- PostgreSQL database dump
--
SET standard_conforming_strings = on;
CREATE TABLE public.visits (
    id integer NOT NULL,
    mrn character varying(20),
    patient_name text,
    notes text,
    CONSTRAINT visits_pkey PRIMARY KEY (id)
);
INSERT INTO public.visits VALUES (1, '00123456', 'Jane O''Neil', 'pt said ''call 617-555-0123''');
INSERT INTO public.visits VALUES (2, '00654321', 'Bob Stone', NULL);
";

#[test]
fn pg_dump_without_column_list_uses_create_table() {
    let (out, report) = run(&mut masker("label"), PG, &FormatOptions::new()).unwrap();
    assert_eq!(report.records, 2);
    let expected = PG
        .replace(
            "'00123456', 'Jane O''Neil', 'pt said ''call 617-555-0123'''",
            "'[MRN_1]', '[NAME_1]', 'pt said ''call [PHONE_1]'''",
        )
        .replace("'00654321', 'Bob Stone'", "'[MRN_2]', '[NAME_2]'");
    assert_eq!(out, expected);
}

#[test]
fn comments_and_literals_are_not_structure() {
    let input = "\
-- INSERT INTO t (ssn) VALUES ('123-45-6789');
/* INSERT INTO t (ssn) VALUES ('123-45-6789'); */
# INSERT INTO t (ssn) VALUES ('123-45-6789');
INSERT INTO t (ssn, notes) VALUES ('234-56-7890', 'a; b), (c'), ('345-67-8901', '-- not a comment /*');
SELECT 'INSERT INTO t (ssn) VALUES (''111-22-3333'')';
";
    let (out, report) = run(&mut masker("mask"), input, &FormatOptions::new()).unwrap();
    assert_eq!(report.records, 2);
    // Only the two real tuples are values; the commented-out INSERTs and the
    // literal in the SELECT are not structure, but their PHI is masked as
    // text all the same.
    let expected = input
        .replace("('234-56-7890'", "('***-**-7890'")
        .replace("('345-67-8901'", "('***-**-8901'")
        .replace("123-45-6789", "***-**-6789")
        .replace("111-22-3333", "***-**-3333");
    assert_eq!(out, expected);
}

#[test]
fn tokenize_is_joinable_across_rows_and_statements() {
    let input = "\
INSERT INTO a (ssn, mrn) VALUES ('123-45-6789', 12345678), ('234-56-7890', 87654321);
INSERT INTO b (ssn) VALUES ('123-45-6789');
";
    let out = mask("tokenize", input);
    let tokens: Vec<&str> = out.split('\'').skip(1).step_by(2).collect();
    assert_eq!(tokens.len(), 3, "{out}");
    assert_eq!(tokens[0], tokens[2], "same SSN, same token: {out}");
    assert_ne!(tokens[0], tokens[1]);
    assert_ne!(tokens[0], "123-45-6789");
    assert_eq!(tokens[0].len(), 11);
    assert!(!out.contains("12345678") && !out.contains("87654321"), "{out}");
    assert_eq!(out, mask("tokenize", input), "deterministic");
}

#[test]
fn nulls_numbers_and_expressions() {
    let input = "INSERT INTO t (mrn, visit_count, ssn, blob, notes) VALUES \
                 (12345678, 3, NULL, X'DEADBEEF', CONCAT('a', 'b')), (NULL, -2.5, TRUE, NULL, 42);\n";
    // `label`: a masked number is no longer a plain number, so it is quoted.
    let out = mask("label", input);
    assert_eq!(
        out,
        "INSERT INTO t (mrn, visit_count, ssn, blob, notes) VALUES \
         ('[MRN_1]', 3, NULL, X'DEADBEEF', CONCAT('a', 'b')), (NULL, -2.5, TRUE, NULL, 42);\n"
    );
    // `tokenize` keeps digits: the MRN stays an unquoted number (or is
    // quoted when the token starts with 0).
    let out = mask("tokenize", input);
    let mrn = out.split("VALUES (").nth(1).unwrap().split(',').next().unwrap();
    assert_ne!(mrn, "12345678");
    let digits = mrn.trim_matches('\'');
    assert_eq!(digits.len(), 8, "{out}");
    assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{out}");
    assert_eq!(mrn.starts_with('\''), digits.starts_with('0'), "{out}");
}

#[test]
fn entity_column_is_masked_whole_free_text_is_scanned() {
    // The column name is the evidence: a value that looks like no name is
    // still masked whole; the same words in free text are not a finding.
    let input = "INSERT INTO t (patient_name, comment) VALUES ('zz top 42', 'zz top 42, SSN 123-45-6789');\n";
    let out = mask("label", input);
    assert_eq!(out, "INSERT INTO t (patient_name, comment) VALUES ('[NAME_1]', 'zz top 42, SSN [SSN_1]');\n");
}

#[test]
fn structure_is_byte_identical_except_values() {
    let input = "insert  ignore INTO `db`.`t`(`ssn` , \"mrn\")\n  VALUES\t( '123-45-6789' /* c */ ,\n'00123456' )  ,('234-56-7890','00654321') ;\r\n\
                 CREATE TABLE x (a int); SET x = 'y';\n";
    let out = mask("redact", input);
    // Every value became empty; nothing else moved.
    let expected = "insert  ignore INTO `db`.`t`(`ssn` , \"mrn\")\n  VALUES\t( '' /* c */ ,\n'' )  ,('','') ;\r\n\
                    CREATE TABLE x (a int); SET x = 'y';\n";
    assert_eq!(out, expected);
    let out = mask("label", input);
    assert_eq!(
        out,
        expected.replacen("''", "'[SSN_1]'", 1).replacen("''", "'[MRN_1]'", 1).replacen("''", "'[SSN_2]'", 1).replacen(
            "''",
            "'[MRN_2]'",
            1
        )
    );
}

#[test]
fn value_count_mismatch_fails_or_is_skipped() {
    let input = "\
CREATE TABLE t (ssn text, notes text);
INSERT INTO t VALUES ('123-45-6789', 'ok');
INSERT INTO t VALUES ('234-56-7890', 'x', 'Mary Jones'),
  ('345-67-8901', 'y');
INSERT INTO t VALUES ('456-78-9012', 'fine');
";
    let err = run(&mut masker("mask"), input, &FormatOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Input);
    assert_eq!(err.line(), Some(3));
    let msg = err.to_string();
    assert!(msg.contains("line 3") && msg.contains("3 values"), "{msg}");
    for secret in ["234-56-7890", "Mary", "345-67"] {
        assert!(!msg.contains(secret) && !format!("{err:?}").contains(secret), "{msg}");
    }

    let options = FormatOptions::new().on_error(OnError::Skip);
    let (out, report) = run(&mut masker("mask"), input, &options).unwrap();
    assert_eq!(report.records, 2);
    assert_eq!(report.skipped, 1);
    assert_eq!(report.skipped_lines, vec![3]);
    assert!(!format!("{report:?}").contains("7890"));
    for secret in ["123-45-6789", "234-56-7890", "345-67-8901", "456-78-9012"] {
        assert!(!out.contains(secret), "{secret} leaked: {out}");
    }
    assert!(out.contains("***-**-7890") && out.contains("***-**-8901"), "masked as text: {out}");
    assert!(out.ends_with("INSERT INTO t VALUES ('***-**-9012', 'fine');\n"), "{out}");
    assert_eq!(out.lines().count(), input.lines().count());
}

#[test]
fn unterminated_string_and_open_tuple() {
    for (input, line) in [
        ("SET a = 1;\n\nINSERT INTO t (ssn) VALUES ('123-45-6789', 'oops\n", 3),
        ("INSERT INTO t (ssn) VALUES ('123-45-6789'\n", 1),
        ("SET a = 1;\nINSERT INTO t (ssn) VALUES ('123-45-6789';\nSET b = 2;\n", 2),
    ] {
        let err = run(&mut masker("mask"), input, &FormatOptions::new()).unwrap_err();
        assert_eq!(err.line(), Some(line), "{err}");
        assert!(!err.to_string().contains("6789"), "{err}");
        let options = FormatOptions::new().on_error(OnError::Skip);
        let (out, report) = run(&mut masker("mask"), input, &options).unwrap();
        assert_eq!(report.skipped_lines, vec![line]);
        assert!(!out.contains("123-45-6789") && out.contains("***-**-6789"), "{out}");
        assert_eq!(out.len(), input.len(), "masked in place: {out}");
    }
}

#[test]
fn subject_field_sets_the_subject_per_tuple() {
    let policy = Policy::from_toml(
        "[default]\noperator = 'mask'\n[entity.DATE]\noperator = 'date-shift'\n",
        std::path::Path::new("p.toml"),
    )
    .unwrap();
    let input = "INSERT INTO v (patient_id, admit_date) VALUES ('P-0001', '03/01/2020'), ('P-0002', '03/01/2020'), \
                 ('P-0001', '03/01/2020');\n";
    let key = Key::from_bytes(test_key(7)).unwrap();
    let mut m = Masker::new(Engine::default(), policy, Some(key)).unwrap();
    let options = FormatOptions::new().subject_field(Some("Patient ID"));
    let (out, report) = run(&mut m, input, &options).unwrap();
    assert_eq!(report.records, 3);
    let dates: Vec<&str> = out.split('\'').skip(1).step_by(2).skip(1).step_by(2).collect();
    assert_eq!(dates.len(), 3, "{out}");
    assert_ne!(dates[0], "03/01/2020", "{out}");
    assert_eq!(dates[0], dates[2], "one subject moves together: {out}");
    assert_ne!(dates[0], dates[1], "another subject moves differently: {out}");
}

#[test]
fn copy_blocks_other_statements_and_comments_are_masked_as_text() {
    let input = "\
-- patient SSN 123-45-6789
COPY public.t (ssn, notes) FROM stdin;
123-45-6789\tit's; weird
\\.
UPDATE t SET ssn = '123-45-6789';
INSERT INTO t (ssn) SELECT ssn FROM u;
";
    let expected = "\
-- patient SSN ***-**-6789
COPY public.t (ssn, notes) FROM stdin;
***-**-6789\tit's; weird
\\.
UPDATE t SET ssn = '***-**-6789';
INSERT INTO t (ssn) SELECT ssn FROM u;
";
    let (out, report) = run(&mut masker("mask"), input, &FormatOptions::new()).unwrap();
    assert_eq!(out, expected);
    assert_eq!(report.records, 0);
}

#[test]
fn insert_without_known_columns_scans_strings() {
    let input = "INSERT INTO unknown VALUES (1, 'SSN 123-45-6789', 12345678);\n";
    assert_eq!(mask("mask", input), "INSERT INTO unknown VALUES (1, 'SSN ***-**-6789', 12345678);\n");
}

#[test]
fn sql_is_chosen_by_extension() {
    assert_eq!(Format::from_extension("SQL"), Some(Format::Sql));
    assert_eq!(Format::Sql.to_string(), "sql");
}

#[test]
fn literal_forms_prefixes_casts_and_tails() {
    let input = "INSERT INTO t (ssn, notes, other) VALUES \
                 (E'123-45-6789', N'SSN 234-56-7890', \"345-67-8901\"), \
                 ('456-78-9012'::text, _utf8mb4'SSN 567-89-0123', 'SSN 678-90-1234' || 'x') \
                 ON DUPLICATE KEY UPDATE ssn = '789-01-2345';\n";
    let out = mask("mask", input);
    assert_eq!(
        out,
        "INSERT INTO t (ssn, notes, other) VALUES \
         (E'***-**-6789', N'SSN ***-**-7890', \"***-**-8901\"), \
         ('***-**-9012'::text, _utf8mb4'SSN ***-**-0123', 'SSN ***-**-1234' || 'x') \
         ON DUPLICATE KEY UPDATE ssn = '***-**-2345';\n",
        "double-quoted values are strings; literals in expressions and in the UPDATE tail are masked as text"
    );
}

#[test]
fn replacement_is_re_escaped_in_the_literal_s_convention() {
    let policy = Policy::from_toml(
        "[default]\noperator = 'mask'\n[entity.NAME]\noperator = 'redact'\n",
        std::path::Path::new("p.toml"),
    )
    .unwrap();
    let mut m = Masker::new(Engine::default(), policy, None).unwrap();
    // A value keeps its apostrophe under `mask`; it is escaped the way its
    // literal escaped it.
    let input = "INSERT INTO t (ssn, notes) VALUES ('123-45-6789', 'a\\'b SSN 123-45-6789'), ('123-45-6789', 'a''b SSN 123-45-6789');\n";
    let (out, _) = run(&mut m, input, &FormatOptions::new()).unwrap();
    assert_eq!(
        out,
        "INSERT INTO t (ssn, notes) VALUES ('***-**-6789', 'a\\'b SSN ***-**-6789'), ('***-**-6789', 'a''b SSN ***-**-6789');\n"
    );
}

#[test]
fn a_huge_insert_streams_tuple_by_tuple() {
    use std::cell::RefCell;
    use std::io::{Read, Write};
    use std::rc::Rc;

    struct Out(Rc<RefCell<Vec<u8>>>);
    impl Write for Out {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    /// Checks, as it hands out the second half of the input, that output
    /// for the first half has been written already.
    struct In {
        data: Vec<u8>,
        at: usize,
        out: Rc<RefCell<Vec<u8>>>,
    }
    impl Read for In {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.at > self.data.len() * 3 / 4 {
                assert!(self.out.borrow().len() > self.data.len() / 2, "output lags: the statement is held");
            }
            let n = buf.len().min(self.data.len() - self.at).min(4096);
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }
    let mut input = String::from("INSERT INTO t (id, ssn) VALUES ");
    for i in 0..40_000 {
        if i > 0 {
            input.push(',');
        }
        input.push_str(&format!("({i},'123-45-{:04}')", i % 10_000));
    }
    input.push_str(";\n");
    let shared = Rc::new(RefCell::new(Vec::new()));
    let reader = In { data: input.clone().into_bytes(), at: 0, out: Rc::clone(&shared) };
    let report =
        mask_format(&mut masker("mask"), Format::Sql, reader, Out(Rc::clone(&shared)), &FormatOptions::new()).unwrap();
    assert_eq!(report.records, 40_000);
    let out = String::from_utf8(shared.borrow().clone()).unwrap();
    assert_eq!(out.len(), input.len());
    assert!(!out.contains("123-45-"), "masked");
    assert!(out.starts_with("INSERT INTO t (id, ssn) VALUES (0,'***-**-0000'),(1,'***-**-0001')"));
}

#[test]
fn an_over_long_value_is_an_error_naming_the_line() {
    let mut input = String::from("SET x = 1;\nINSERT INTO t (notes) VALUES ('");
    input.push_str(&"a".repeat(phimask::MAX_RECORD + 10));
    input.push_str("');\n");
    let err = run(&mut masker("mask"), &input, &FormatOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Input);
    assert_eq!(err.line(), Some(2));
    assert!(err.to_string().contains("MiB"), "{err}");
}

#[test]
fn non_utf8_strings_and_unterminated_comments_are_malformed() {
    let input = b"INSERT INTO t (notes) VALUES ('\xff\xfe SSN 123-45-6789');\nSELECT 1;\n";
    let mut out = Vec::new();
    let err = mask_format(&mut masker("mask"), Format::Sql, &input[..], &mut out, &FormatOptions::new()).unwrap_err();
    assert_eq!(err.line(), Some(1));
    let mut out = Vec::new();
    let options = FormatOptions::new().on_error(OnError::Skip);
    let report = mask_format(&mut masker("mask"), Format::Sql, &input[..], &mut out, &options).unwrap();
    assert_eq!(report.skipped_lines, vec![1]);
    assert_eq!(out, b"INSERT INTO t (notes) VALUES ('\xff\xfe SSN ***-**-6789');\nSELECT 1;\n");

    let err = run(&mut masker("mask"), "SELECT 1;\n\n/* SSN 123-45-6789", &FormatOptions::new()).unwrap_err();
    assert_eq!(err.line(), Some(3));
    assert!(!err.to_string().contains("6789"));
}

#[test]
fn d3_unquoted_double_quoted_and_dollar_quoted_values_are_scanned() {
    let input = "INSERT INTO p (name, ssn) VALUES (\"John Smith\", 123-45-6789), ($$Jane Roe$$, 'x'), \
                 ($t$Mary Major$t$, NULL), (`Bob Jones`, 536-22-8726);\n\
                 INSERT INTO q (note, n, b, d, flag) VALUES ($$pt SSN 234-56-7890$$, $1, X'0F', DEFAULT, TRUE);\n";
    let out = mask("mask", input);
    assert_eq!(
        out,
        "INSERT INTO p (name, ssn) VALUES (\"**** *****\", ***-**-6789), ($$**** ***$$, '*'), \
         ($t$**** *****$t$, NULL), (`*** *****`, ***-**-8726);\n\
         INSERT INTO q (note, n, b, d, flag) VALUES ($$pt SSN ***-**-7890$$, $1, X'0F', DEFAULT, TRUE);\n"
    );
    // Outside VALUES, a double-quoted or dollar-quoted string is masked as text too.
    let out = mask("mask", "UPDATE p SET ssn = \"345-67-8901\", note = $$SSN 456-78-9012$$;\n");
    assert_eq!(out, "UPDATE p SET ssn = \"***-**-8901\", note = $$SSN ***-**-9012$$;\n");
    // A dollar quote that does not end is malformed, not copied.
    let mut m = masker("mask");
    assert!(run(&mut m, "INSERT INTO p VALUES ($$SSN 123-45-6789);\n", &FormatOptions::new()).is_err());
}

/// A fixed key for tests: 32 distinct bytes, a different key per `seed`.
fn test_key(seed: u8) -> Vec<u8> {
    (0..32u8).map(|i| i.wrapping_mul(73).wrapping_add(seed) ^ 0x5c).collect()
}

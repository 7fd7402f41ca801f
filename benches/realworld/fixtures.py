"""Patient fixtures for the planting harness (`run.py plant`).

Ten formats a team might commit by mistake: CSV, JSON, NDJSON, a Python
dict, a JS object, SQL, HL7 v2, FHIR, log lines and a chart excerpt in
Markdown. Every value is made up here from small lists and a seeded random
generator; each fixture returns its text and the planted values (the spans
the harness checks are covered by findings).
"""

import json
import random

FIRST = ["John", "Maria", "Wei", "Aisha", "Carlos", "Emily", "Dmitri", "Fatima", "Kevin", "Priya",
         "Liam", "Olga", "Hiroshi", "Grace", "Mateo", "Chloe", "Tyrone", "Ingrid", "Samuel", "Noor"]
LAST = ["Smith", "Garcia", "Chen", "Okafor", "Martinez", "Johnson", "Ivanov", "Haddad", "O'Brien", "Patel",
        "Nguyen", "Kowalski", "Tanaka", "Williams", "Rossi", "Dubois", "Jackson", "Larsen", "Cohen", "Rahman"]
STREETS = ["Main St", "Oak Avenue", "Maple Dr", "Elm Street", "Washington Blvd", "Lakeview Rd", "Cedar Lane",
           "Park Ave", "Hillcrest Dr", "Sunset Blvd"]
CITIES = [("Boston", "MA", "02118"), ("Springfield", "IL", "62704"), ("Austin", "TX", "78701"),
          ("Denver", "CO", "80203"), ("Portland", "OR", "97205"), ("Columbus", "OH", "43215"),
          ("Raleigh", "NC", "27601"), ("Phoenix", "AZ", "85004")]


class Person:
    def __init__(self, rng):
        self.first = rng.choice(FIRST)
        self.last = rng.choice(LAST)
        y, m, d = rng.randint(1931, 2005), rng.randint(1, 12), rng.randint(1, 28)
        self.dob = (y, m, d)
        area = rng.choice([rng.randint(1, 665), rng.randint(667, 899)])
        self.ssn = f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"
        self.mrn = f"{rng.randint(10000000, 99999999)}"
        self.phone = (rng.randint(201, 989), rng.randint(200, 999), rng.randint(1000, 9999))
        self.email = f"{self.first.lower()}.{self.last.lower().replace(chr(39), '')}{rng.randint(1, 99)}@" + rng.choice(
            ["gmail.com", "yahoo.com", "outlook.com", "icloud.com"])
        self.street = f"{rng.randint(10, 9899)} {rng.choice(STREETS)}"
        self.city, self.state, self.zip = rng.choice(CITIES)

    def iso(self):
        return "%04d-%02d-%02d" % self.dob

    def us(self):
        return "%02d/%02d/%04d" % (self.dob[1], self.dob[2], self.dob[0])

    def phone_dash(self):
        return "%d-%d-%d" % self.phone

    def phone_paren(self):
        return "(%d) %d-%d" % self.phone


def _values(text, values):
    """The (start, end) spans of each value, in order of appearance."""
    spans, at = [], 0
    for v in values:
        i = text.find(v, at)
        if i < 0:
            i = text.find(v)
        assert i >= 0, v
        spans.append((v, i, i + len(v)))
        at = i + len(v)
    return spans


def csv_fixture(people):
    lines = ["patient_id,first_name,last_name,dob,ssn,phone,email,street,city,state,zip"]
    values = []
    for p in people:
        row = [p.mrn, p.first, p.last, p.iso(), p.ssn, p.phone_dash(), p.email, p.street, p.city, p.state, p.zip]
        lines.append(",".join(row))
        values += [p.mrn, p.first, p.last, p.iso(), p.ssn, p.phone_dash(), p.email, p.street, p.zip]
    text = "\n".join(lines) + "\n"
    return "tests/fixtures/patients.csv", text, _values(text, values)


def _record(p):
    return {"mrn": p.mrn, "name": f"{p.first} {p.last}", "birthDate": p.iso(), "ssn": p.ssn,
            "phone": p.phone_dash(), "email": p.email,
            "address": {"line": p.street, "city": p.city, "state": p.state, "postalCode": p.zip}}


def _record_values(p):
    return [p.mrn, f"{p.first} {p.last}", p.iso(), p.ssn, p.phone_dash(), p.email, p.street, p.zip]


def json_fixture(people):
    text = json.dumps([_record(p) for p in people], indent=2) + "\n"
    values = [v for p in people for v in _record_values(p)]
    return "tests/fixtures/patients.json", text, _values(text, values)


def ndjson_fixture(people):
    text = "".join(json.dumps(_record(p)) + "\n" for p in people)
    values = [v for p in people for v in _record_values(p)]
    return "data/sample/patients.ndjson", text, _values(text, values)


def python_fixture(people):
    out = ["# Sample records for the import test.", "PATIENTS = ["]
    values = []
    for p in people:
        out.append("    {")
        out.append(f'        "first_name": "{p.first}",')
        out.append(f'        "last_name": "{p.last}",')
        out.append(f'        "date_of_birth": "{p.us()}",')
        out.append(f'        "ssn": "{p.ssn}",')
        out.append(f'        "phone": "{p.phone_paren()}",')
        out.append(f'        "address": "{p.street}, {p.city}, {p.state} {p.zip}",')
        out.append("    },")
        values += [p.first, p.last, p.us(), p.ssn, p.phone_paren(), p.street, p.zip]
    out.append("]")
    text = "\n".join(out) + "\n"
    return "tests/test_import_data.py", text, _values(text, values)


def js_fixture(people):
    out = ["// Seed data for the demo environment", "export const patients = ["]
    values = []
    for p in people:
        out.append(f"  {{ name: '{p.first} {p.last}', dob: '{p.iso()}', mrn: '{p.mrn}', "
                   f"phone: '{p.phone_dash()}', email: '{p.email}' }},".replace("O'Brien", "O\\'Brien"))
        values += [f"{p.first} {p.last}".replace("O'Brien", "O\\'Brien"), p.iso(), p.mrn, p.phone_dash(), p.email]
    out.append("];")
    text = "\n".join(out) + "\n"
    return "demo/seed.js", text, _values(text, values)


def sql_fixture(people):
    out = ["INSERT INTO patients (mrn, first_name, last_name, dob, ssn, phone, street, city, state, zip) VALUES"]
    values = []
    rows = []
    for p in people:
        last = p.last.replace("'", "''")
        rows.append(f"  ('{p.mrn}', '{p.first}', '{last}', '{p.iso()}', '{p.ssn}', '{p.phone_dash()}', "
                    f"'{p.street}', '{p.city}', '{p.state}', '{p.zip}')")
        values += [p.mrn, p.first, last, p.iso(), p.ssn, p.phone_dash(), p.street, p.zip]
    text = "\n".join(out) + "\n" + ",\n".join(rows) + ";\n"
    return "db/seed_patients.sql", text, _values(text, values)


def hl7_fixture(people):
    msgs, values = [], []
    for i, p in enumerate(people):
        y, m, d = p.dob
        dob = "%04d%02d%02d" % (y, m, d)
        phone = "(%d)%d-%d" % p.phone
        segs = [
            f"MSH|^~\\&|EPIC|HOSP|LAB|HOSP|20240115102201||ADT^A01|MSG{1000 + i}|P|2.5",
            f"PID|1||{p.mrn}^^^HOSP^MR||{p.last.upper()}^{p.first.upper()}||{dob}|M|||"
            f"{p.street.upper()}^^{p.city.upper()}^{p.state}^{p.zip}||{phone}|||||{p.mrn}|{p.ssn}",
            "PV1|1|I|4W^401^1",
        ]
        msgs.append("\r".join(segs))
        values += [p.mrn, p.last.upper(), p.first.upper(), dob, p.street.upper(), p.zip, phone, p.ssn]
    text = "\r\n".join(msgs) + "\r\n"
    return "integration/samples/adt_a01.hl7", text, _values(text, values)


def fhir_fixture(people):
    entries = []
    values = []
    for p in people:
        entries.append({"resource": {
            "resourceType": "Patient",
            "identifier": [{"system": "http://hospital.example.org/mrn", "value": p.mrn}],
            "name": [{"family": p.last, "given": [p.first]}],
            "telecom": [{"system": "phone", "value": p.phone_paren()}, {"system": "email", "value": p.email}],
            "birthDate": p.iso(),
            "address": [{"line": [p.street], "city": p.city, "state": p.state, "postalCode": p.zip}],
        }})
        values += [p.mrn, p.last, p.first, p.phone_paren(), p.email, p.iso(), p.street, p.zip]
    text = json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}, indent=2) + "\n"
    return "tests/fhir/bundle-patients.json", text, _values(text, values)


def log_fixture(people):
    out, values = [], []
    for i, p in enumerate(people):
        out.append(f"2024-01-15 10:22:{i:02d},113 INFO  [intake] registered patient name=\"{p.first} {p.last}\" "
                   f"dob={p.iso()} mrn={p.mrn} phone={p.phone_dash()}")
        out.append(f"2024-01-15 10:22:{i:02d},187 DEBUG [intake] insurance check ssn={p.ssn} email={p.email}")
        values += [f"{p.first} {p.last}", p.iso(), p.mrn, p.phone_dash(), p.ssn, p.email]
    text = "\n".join(out) + "\n"
    return "logs/intake-debug.log", text, _values(text, values)


def chart_fixture(people):
    out, values = ["# Case notes for the triage model", ""], []
    for p in people:
        out.append(f"## {p.first} {p.last}")
        out.append("")
        out.append(f"{p.first} {p.last} (DOB {p.us()}, MRN {p.mrn}) was seen on 2024-01-15 for chest pain. "
                   f"Lives at {p.street}, {p.city}, {p.state} {p.zip}; daughter can be reached at {p.phone_paren()}. "
                   f"SSN {p.ssn} {p.first} {p.last} confirmed at registration.")
        out.append("")
        values += [f"{p.first} {p.last}", f"{p.first} {p.last}", p.us(), p.mrn, p.street, p.zip, p.phone_paren(),
                   p.ssn, f"{p.first} {p.last}"]
    text = "\n".join(out)
    return "docs/triage-examples.md", text, _values(text, values)


FIXTURES = [csv_fixture, json_fixture, ndjson_fixture, python_fixture, js_fixture, sql_fixture, hl7_fixture,
            fhir_fixture, log_fixture, chart_fixture]


def all_fixtures(seed, people=5):
    """[(kind, path, text, [(value, start, end)])] for every format."""
    rng = random.Random(seed)
    out = []
    for make in FIXTURES:
        path, text, spans = make([Person(rng) for _ in range(people)])
        out.append((make.__name__.removesuffix("_fixture"), path, text, spans))
    return out

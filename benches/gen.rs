//! Seeded synthetic corpora for the scan benchmarks, with their answer key.
//!
//! Three kinds of input, each of a requested size: application logs, clinical
//! notes and a CSV dump of a patient table. Every piece of PHI the generator
//! plants is recorded as a [`Planted`] span with its entity label, so a bench
//! can check that the engine found what is there before it times anything: a
//! fast wrong answer must fail.
//!
//! Trade-off: the text is built from templates and word lists rather than
//! taken from real documents, so it is free to ship and exactly labelled, but
//! it is only as realistic as the templates. The templates therefore carry
//! the things that make PHI detection hard in practice: timestamps and
//! version numbers that look like dates and IPs, capitalized log words and
//! medical eponyms that are also surnames, ids that look like MRNs without
//! their label. Only values built to be PHI are planted; anything else the
//! engine reports shows up as "unplanted" in the bench's sanity table.
//!
//! Randomness is a splitmix64 stream from a fixed seed: no extra crate, and
//! the same seed gives byte-identical corpora on every machine.
//!
//! Names come from the engine's own Census lists (`patterns/names/`) minus
//! common words and eponyms, so planted names are names the dictionary can
//! know; which ones, and how they are written, is left to chance.

#![allow(dead_code)] // Not every user of this module uses every item.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::Path;

/// splitmix64: tiny, fast, good enough to vary text.
pub struct Rng(u64);

impl Rng {
    /// A stream seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    /// `len` random lower-case hex digits.
    pub fn hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len + 16);
        while s.len() < len {
            let _ = write!(s, "{:016x}", self.next_u64());
        }
        s.truncate(len);
        s
    }

    /// A random version-4-looking UUID.
    pub fn uuid(&mut self) -> String {
        let h = self.hex(32);
        format!("{}-{}-4{}-a{}-{}", &h[..8], &h[8..12], &h[13..16], &h[17..20], &h[20..])
    }

    /// One element of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Census first and last names, capitalized, ready to plant.
pub struct Names {
    /// Given names.
    pub first: Vec<String>,
    /// Surnames.
    pub last: Vec<String>,
}

impl Names {
    /// Reads `first.txt` and `last.txt` from `dir` (the engine's
    /// `patterns/names/`), dropping entries that are also common words,
    /// eponyms or titles (those are ambiguous by design and would make the
    /// answer key wrong, not the engine) and names shorter than 3 letters.
    ///
    /// # Panics
    /// If the lists cannot be read or come out empty.
    pub fn load(dir: &Path) -> Names {
        let read = |file: &str| -> Vec<String> {
            let path = dir.join(file);
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            text.lines()
                .map(|l| l.trim().to_ascii_lowercase())
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .collect()
        };
        let mut exclude = std::collections::HashSet::new();
        for f in ["common_words.txt", "eponyms.txt", "eponyms_common_surnames.txt", "titles.txt"] {
            if dir.join(f).exists() {
                exclude.extend(read(f));
            }
        }
        let keep = |list: Vec<String>| -> Vec<String> {
            list.into_iter()
                .filter(|n| n.len() >= 3 && n.bytes().all(|b| b.is_ascii_lowercase()) && !exclude.contains(n))
                .map(|n| {
                    let mut c = n.into_bytes();
                    c[0] = c[0].to_ascii_uppercase();
                    String::from_utf8(c).expect("ASCII")
                })
                .collect()
        };
        let names = Names { first: keep(read("first.txt")), last: keep(read("last.txt")) };
        assert!(names.first.len() > 100 && names.last.len() > 100, "name lists in {} are too small", dir.display());
        names
    }
}

/// One planted piece of PHI: its entity label (as `Entity::as_str` spells
/// it) and its byte span in the corpus.
#[derive(Clone, Debug)]
pub struct Planted {
    /// `"SSN"`, `"NAME"`, …
    pub entity: &'static str,
    /// Byte span of the value (without its label).
    pub span: Range<usize>,
}

/// Which kind of corpus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Application logs, ~2% of lines carrying PHI.
    Logs,
    /// Clinical notes, about one PHI item per 300 bytes.
    Notes,
    /// A CSV dump of a patient table.
    Csv,
}

impl Kind {
    /// Lower-case name, as used in group names and `PHIMASK_BENCH_DUMP_KIND`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Logs => "logs",
            Kind::Notes => "notes",
            Kind::Csv => "csv",
        }
    }

    /// Parses [`as_str`](Self::as_str).
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "logs" => Some(Kind::Logs),
            "notes" => Some(Kind::Notes),
            "csv" => Some(Kind::Csv),
            _ => None,
        }
    }
}

/// A generated corpus and its answer key.
pub struct Corpus {
    /// Which kind.
    pub kind: Kind,
    /// The bytes (ASCII text, `\n` line ends).
    pub text: Vec<u8>,
    /// Every planted PHI value, in order.
    pub planted: Vec<Planted>,
    /// The units (log lines, note sections, CSV rows) that carry at least
    /// one planted value: each must get at least one finding.
    pub phi_units: Vec<Range<usize>>,
    /// Number of units (lines for logs and CSV, sections for notes).
    pub units: usize,
}

impl Corpus {
    /// Planted values per entity label.
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut m = BTreeMap::new();
        for p in &self.planted {
            *m.entry(p.entity).or_insert(0) += 1;
        }
        m
    }
}

/// Generates a corpus of `kind` of at least `size` bytes (it ends at a unit
/// boundary), deterministically from `seed`.
pub fn generate(kind: Kind, size: usize, seed: u64, names: &Names) -> Corpus {
    let mut g = Gen {
        rng: Rng::new(seed ^ (kind as u64).wrapping_mul(0xA24B_AED4_963E_E407)),
        names,
        out: String::with_capacity(size + 4096),
        planted: Vec::new(),
        phi_units: Vec::new(),
        units: 0,
        clock: 1_705_276_800_000, // 2024-01-15T00:00:00Z, in ms
    };
    match kind {
        Kind::Logs => g.logs(size),
        Kind::Notes => g.notes(size),
        Kind::Csv => g.csv(size),
    }
    Corpus { kind, text: g.out.into_bytes(), planted: g.planted, phi_units: g.phi_units, units: g.units }
}

// ---------------------------------------------------------------------------
// Word lists for the non-PHI parts.

const LEVELS: &[&str] = &["INFO", "INFO", "INFO", "INFO", "DEBUG", "DEBUG", "WARN", "ERROR"];
const LOGGERS: &[&str] = &[
    "c.e.api.OrderController",
    "c.e.claims.ClaimService",
    "c.e.auth.TokenFilter",
    "o.h.e.j.s.SqlExceptionHelper",
    "o.s.web.servlet.DispatcherServlet",
    "com.zaxxer.hikari.pool.HikariPool",
    "sqlalchemy.engine.Engine",
    "app.workers.billing",
    "app.api.v2.appointments",
    "kafka.consumer.Fetcher",
    "scheduler.jobs.reminders",
    "gunicorn.error",
    "uvicorn.access",
    "celery.worker.strategy",
    "hl7.ingest.router",
    "fhir.gateway.proxy",
    "redis.cache",
    "audit.trail",
];
const HOSTS: &[&str] = &["web-01", "web-02", "web-03", "api-7f9c", "ingest-2", "worker-a4", "db-proxy-1", "edge-lb-3"];
const APPS: &[&str] = &["nginx", "sshd", "cron", "app", "haproxy", "kernel", "systemd", "dockerd", "postfix/smtp"];
const METHODS: &[&str] = &["GET", "GET", "GET", "POST", "PUT", "DELETE", "PATCH"];
const PATHS: &[&str] = &[
    "/api/v1/orders/{n}",
    "/api/v1/orders/{n}/items",
    "/api/v2/appointments?date=today&page={s}",
    "/api/v2/claims/{h}/status",
    "/fhir/Observation?_count=50&_offset={n}",
    "/fhir/Patient/{h}/$everything",
    "/health",
    "/metrics",
    "/static/js/app.{h}.js",
    "/login",
    "/api/v1/search?q=metformin&limit=20",
    "/api/v1/providers/{n}/schedule",
    "/hl7/inbound",
    "/api/v1/reports/{n}.pdf",
];
const STATUS: &[u16] = &[200, 200, 200, 200, 200, 201, 204, 301, 304, 400, 401, 403, 404, 409, 429, 500, 502, 503];
const AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "curl/8.4.0",
    "python-requests/2.31.0",
    "okhttp/4.12.0",
    "Go-http-client/2.0",
    "kube-probe/1.28",
    "PostmanRuntime/7.36.0",
];
const TENANTS: &[&str] = &["acme", "northwind", "globex", "initech", "umbrella", "stark-health", "wayne-med"];
const WORDS: &[&str] = &[
    "ok",
    "started",
    "completed",
    "retrying",
    "timeout",
    "flushed",
    "scheduled",
    "skipped",
    "queued",
    "committed",
    "rolled back",
    "cache hit",
    "cache miss",
    "validated",
    "rejected",
    "throttled",
];

const CONDITIONS: &[&str] = &[
    "hypertension",
    "type 2 diabetes mellitus",
    "hyperlipidemia",
    "COPD on 2L home oxygen",
    "atrial fibrillation on apixaban",
    "CHF with reduced ejection fraction (EF 35%)",
    "chronic kidney disease stage 3b",
    "Parkinson's disease",
    "Crohn's disease",
    "hypothyroidism",
    "Hodgkin lymphoma in remission",
    "Graves' disease status post radioactive iodine",
    "obstructive sleep apnea on CPAP",
    "major depressive disorder",
    "osteoarthritis of both knees",
    "Alzheimer's dementia",
];
const COMPLAINTS: &[&str] = &[
    "worsening dyspnea on exertion",
    "substernal chest pain radiating to the left arm",
    "fever and productive cough",
    "a mechanical fall at home",
    "altered mental status",
    "right lower quadrant abdominal pain",
    "bilateral lower extremity edema",
    "dysuria and flank pain",
    "syncope while standing",
    "hematemesis",
];
const MEDS: &[&str] = &[
    "metoprolol succinate 50 mg PO daily",
    "lisinopril 10 mg PO daily",
    "atorvastatin 40 mg PO qHS",
    "metformin 1000 mg PO BID",
    "furosemide 40 mg IV BID",
    "apixaban 5 mg PO BID",
    "insulin glargine 22 units SC qHS",
    "levothyroxine 88 mcg PO daily",
    "acetaminophen 650 mg PO q6h PRN",
    "ceftriaxone 1 g IV q24h",
    "pantoprazole 40 mg PO daily",
    "heparin 5000 units SC q8h",
    "albuterol 2.5 mg neb q4h PRN",
    "sertraline 50 mg PO daily",
];
const EXAM: &[&str] = &[
    "Glasgow Coma Scale 15",
    "Babinski sign downgoing bilaterally",
    "Homans sign negative",
    "Murphy's sign negative",
    "Kernig and Brudzinski signs negative",
    "no Kussmaul respirations",
    "Romberg negative",
    "Tinel sign positive at the right wrist",
    "lungs with bibasilar crackles",
    "JVP 10 cm",
    "2+ pitting edema to the mid shin",
    "abdomen soft, non-tender, no rebound",
];
const PLANS: &[&str] = &[
    "Foley catheter placed for strict I/O",
    "Swan-Ganz catheter deferred",
    "continue diuresis with a goal of 1-2 L net negative per day",
    "trend troponin q6h and repeat ECG in the morning",
    "start DVT prophylaxis",
    "PT/OT evaluation",
    "cardiology consulted; consider Holter monitor on discharge",
    "hold metformin given contrast study",
    "blood cultures x2 pending",
    "Whipple procedure discussed with surgery",
    "CIWA protocol",
    "wean oxygen to keep SpO2 above 92%",
];
const COURSE: &[&str] = &[
    "Chest X-ray showed small bilateral pleural effusions without focal consolidation.",
    "ECG demonstrated sinus tachycardia at 112 bpm with nonspecific ST-T wave changes; QTc 452 ms by Bazett formula.",
    "Echocardiogram revealed an ejection fraction of 30-35% with moderate mitral regurgitation and no pericardial effusion.",
    "CT abdomen/pelvis with contrast was negative for appendicitis, abscess or obstruction.",
    "Urinalysis was notable for large leukocyte esterase, positive nitrites and >50 WBC/hpf.",
    "The patient was started on empiric vancomycin and piperacillin-tazobactam, narrowed to ceftriaxone once cultures grew E. coli.",
    "Diuresed with IV furosemide to a net negative 4.2 L over 72 hours with steady improvement in the oxygen requirement.",
    "Hemoglobin remained stable at 8.1-8.6 g/dL and no transfusion was required.",
    "Blood glucose was managed with basal-bolus insulin, with values between 110 and 240 mg/dL.",
    "Physical therapy recommended discharge home with services and a rolling walker.",
    "Delirium precautions were maintained and CAM-ICU screening was negative throughout the stay.",
    "Pain was controlled with scheduled acetaminophen and low-dose oxycodone 2.5 mg PO q6h PRN.",
    "GI performed EGD showing a 1 cm clean-based gastric ulcer; H. pylori biopsy is pending.",
    "Nephrology followed for acute kidney injury, which resolved with fluids (peak creatinine 2.4 mg/dL).",
    "Mallampati class II airway was noted by anesthesia before the procedure.",
    "Goals of care were discussed at length and the patient remains full code.",
    "Telemetry showed paroxysmal atrial fibrillation with rates to 130, controlled with metoprolol.",
    "Wound care consulted for a stage 2 sacral pressure injury; Braden score 14.",
    "Repeat lactate cleared from 4.1 to 1.3 mmol/L after a 30 mL/kg crystalloid bolus.",
    "Hospital course was otherwise uncomplicated and the patient tolerated a regular diet by day 3.",
];
const ROS_POS: &[&str] = &[
    "fatigue",
    "decreased appetite",
    "orthopnea",
    "cough",
    "dizziness",
    "nocturia",
    "weight gain of 3 kg",
    "insomnia",
];
const ROS_NEG: &[&str] = &[
    "headache",
    "vision changes",
    "chest pain",
    "palpitations",
    "nausea",
    "vomiting",
    "diarrhea",
    "melena",
    "hematuria",
    "rash",
    "joint swelling",
    "focal weakness",
    "night sweats",
];
const PMH: &[&str] = &[
    "appendectomy (age 12)",
    "cholecystectomy",
    "right total knee arthroplasty",
    "CABG x3",
    "cataract surgery OU",
    "C-section x2",
    "TURP",
    "lumbar laminectomy L4-L5",
    "tonsillectomy",
    "hernia repair",
];
const ALLERGIES: &[&str] = &[
    "NKDA",
    "penicillin (hives)",
    "sulfa drugs (rash)",
    "iodinated contrast (anaphylaxis)",
    "latex",
    "codeine (nausea)",
];

const SECTIONS: &[&str] = &["ADMISSION NOTE", "PROGRESS NOTE", "DISCHARGE SUMMARY", "CONSULT NOTE", "ED NOTE"];
const STREETS: &[&str] = &[
    "Main Street",
    "Oak Avenue",
    "Maple Drive",
    "Cedar Lane",
    "Elm Street",
    "Pine Road",
    "Lakeview Boulevard",
    "Hillcrest Court",
    "Sunset Blvd",
    "Park Ave",
    "River Rd",
    "Highland Ave",
    "Chestnut St",
    "Willow Way",
];
const CITIES: &[(&str, &str, &str)] = &[
    ("Boston", "MA", "02115"),
    ("Springfield", "IL", "62701"),
    ("Austin", "TX", "78701"),
    ("Columbus", "OH", "43215"),
    ("Portland", "OR", "97205"),
    ("Nashville", "TN", "37203"),
    ("Rochester", "MN", "55905"),
    ("Baltimore", "MD", "21287"),
    ("Cleveland", "OH", "44195"),
    ("San Diego", "CA", "92103"),
    ("Ann Arbor", "MI", "48109"),
    ("Salt Lake City", "UT", "84132"),
    ("Durham", "NC", "27710"),
    ("Saint Paul", "MN", "55101"),
];
const DOMAINS: &[&str] =
    &["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "comcast.net", "aol.com", "proton.me"];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MON3: &[&str] = &["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const CSV_NOTES: &[&str] = &[
    "follow-up in 2 weeks",
    "Foley removed day 3",
    "no known drug allergies",
    "allergic to penicillin (rash)",
    "A1c 7.9% - titrate insulin",
    "Glasgow Coma Scale 15 on arrival",
    "referred to cardiology",
    "history of Parkinson's disease",
    "missed last 2 appointments",
    "prefers Spanish interpreter",
    "",
    "",
];

// ---------------------------------------------------------------------------

struct Gen<'a> {
    rng: Rng,
    names: &'a Names,
    out: String,
    planted: Vec<Planted>,
    phi_units: Vec<Range<usize>>,
    units: usize,
    /// Milliseconds since the epoch for log timestamps; only goes forward.
    clock: u64,
}

impl Gen<'_> {
    fn put(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// Writes `value` and records it as planted `entity`.
    fn phi(&mut self, entity: &'static str, value: &str) {
        let start = self.out.len();
        self.out.push_str(value);
        self.planted.push(Planted { entity, span: start..self.out.len() });
    }

    fn first(&mut self) -> String {
        self.rng.pick(&self.names.first).clone()
    }

    fn last(&mut self) -> String {
        self.rng.pick(&self.names.last).clone()
    }

    /// Starts a unit; returns its start and the planted count so far.
    fn begin(&self) -> (usize, usize) {
        (self.out.len(), self.planted.len())
    }

    /// Ends a unit begun at `mark`.
    fn end(&mut self, mark: (usize, usize)) {
        self.units += 1;
        if self.planted.len() > mark.1 {
            self.phi_units.push(mark.0..self.out.len());
        }
    }

    /// `k` distinct items of `items`, in random order.
    fn pick_distinct(&mut self, items: &[&'static str], k: usize) -> Vec<&'static str> {
        let mut pool: Vec<&'static str> = items.to_vec();
        let mut out = Vec::with_capacity(k);
        while out.len() < k && !pool.is_empty() {
            let i = self.rng.below(pool.len() as u64) as usize;
            out.push(pool.swap_remove(i));
        }
        out
    }

    // --- PHI values ------------------------------------------------------

    fn ssn(&mut self) -> String {
        loop {
            let area = self.rng.range(1, 899);
            let group = self.rng.range(1, 99);
            let serial = self.rng.range(1, 9999);
            if area == 666 || [(78, 5, 1120), (219, 9, 9999), (457, 55, 5462)].contains(&(area, group, serial)) {
                continue;
            }
            return format!("{area:03}-{group:02}-{serial:04}");
        }
    }

    fn phone(&mut self) -> String {
        let a = self.rng.range(201, 989);
        let e = self.rng.range(200, 999);
        let l = self.rng.range(0, 9999);
        match self.rng.below(5) {
            0 | 1 => format!("({a}) {e}-{l:04}"),
            2 => format!("{a}-{e}-{l:04}"),
            3 => format!("{a}.{e}.{l:04}"),
            _ => format!("+1 {a} {e} {l:04}"),
        }
    }

    fn email(&mut self, first: &str, last: &str) -> String {
        let (f, l) = (first.to_ascii_lowercase(), last.to_ascii_lowercase());
        let domain = *self.rng.pick(DOMAINS);
        match self.rng.below(4) {
            0 => format!("{f}.{l}@{domain}"),
            1 => format!("{}{l}{}@{domain}", &f[..1], self.rng.range(1, 99)),
            2 => format!("{f}_{l}{}@{domain}", self.rng.range(1950, 2005)),
            _ => format!("{l}.{f}@{domain}"),
        }
    }

    fn mrn(&mut self) -> String {
        match self.rng.below(3) {
            0 => format!("{:08}", self.rng.range(100_000, 99_999_999)),
            1 => format!("{}{:07}", (b'A' + self.rng.below(26) as u8) as char, self.rng.range(0, 9_999_999)),
            _ => format!("{:07}", self.rng.range(1_000_000, 9_999_999)),
        }
    }

    /// A birth date in one of the common written forms.
    fn dob(&mut self) -> String {
        let (y, m, d) = (self.rng.range(1931, 2006), self.rng.range(1, 12), self.rng.range(1, 28));
        self.date_fmt(y, m, d)
    }

    /// A recent encounter date.
    fn recent_date(&mut self) -> String {
        let (y, m, d) = (self.rng.range(2022, 2024), self.rng.range(1, 12), self.rng.range(1, 28));
        self.date_fmt(y, m, d)
    }

    fn date_fmt(&mut self, y: u64, m: u64, d: u64) -> String {
        match self.rng.below(5) {
            0 | 1 => format!("{m:02}/{d:02}/{y}"),
            2 => format!("{y}-{m:02}-{d:02}"),
            3 => format!("{} {d}, {y}", MONTHS[m as usize - 1]),
            _ => format!("{m}/{d}/{:02}", y % 100),
        }
    }

    fn ip(&mut self) -> String {
        if self.rng.chance(0.3) {
            format!("10.{}.{}.{}", self.rng.below(256), self.rng.below(256), self.rng.range(1, 254))
        } else {
            format!(
                "{}.{}.{}.{}",
                self.rng.range(11, 223),
                self.rng.below(256),
                self.rng.below(256),
                self.rng.range(1, 254)
            )
        }
    }

    fn path(&mut self) -> String {
        let p = *self.rng.pick(PATHS);
        let n = self.rng.range(1, 999_999).to_string();
        let s = self.rng.range(1, 40).to_string();
        let h = self.rng.hex(12);
        p.replace("{n}", &n).replace("{s}", &s).replace("{h}", &h)
    }

    // --- logs --------------------------------------------------------------

    fn logs(&mut self, size: usize) {
        let mut style = 0;
        let mut left_in_style = 0;
        while self.out.len() < size {
            if left_in_style == 0 {
                // Log files are concatenated from several services, each with
                // its own timestamp format.
                style = self.rng.below(4);
                left_in_style = self.rng.range(200, 3000);
            }
            left_in_style -= 1;
            self.clock += self.rng.range(0, 900);
            let mark = self.begin();
            if style == 3 {
                self.json_line();
            } else {
                self.log_prefix(style);
                self.log_message();
                // Real lines carry trailing context fields; keep ~120+ bytes.
                while self.out.len() - mark.0 < 120 {
                    let (k, v) = match self.rng.below(4) {
                        0 => ("env", (*self.rng.pick(&["prod", "staging", "prod-eu"])).to_string()),
                        1 => ("span_id", self.rng.hex(16)),
                        2 => ("pod", format!("{}-{}", self.rng.pick(HOSTS), self.rng.hex(5))),
                        _ => ("mem_mb", self.rng.range(100, 4000).to_string()),
                    };
                    let _ = write!(self.out, " {k}={v}");
                }
            }
            self.put("\n");
            self.end(mark);
        }
    }

    fn timestamp(&self, style: u64) -> String {
        let ms = self.clock % 1000;
        let secs = self.clock / 1000;
        let (h, mi, s) = (secs / 3600 % 24, secs / 60 % 60, secs % 60);
        let days = secs / 86_400 - 19_723; // days since 2024-01-01
        let (month, day) = month_day_2024(days);
        match style {
            0 | 3 => format!("2024-{month:02}-{day:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z"),
            1 => format!("2024-{month:02}-{day:02} {h:02}:{mi:02}:{s:02},{ms:03}"),
            _ => format!("{} {day:2} {h:02}:{mi:02}:{s:02}", MON3[month as usize - 1]),
        }
    }

    fn log_prefix(&mut self, style: u64) {
        let ts = self.timestamp(style);
        self.put(&ts);
        if style == 2 {
            let host = *self.rng.pick(HOSTS);
            let app = *self.rng.pick(APPS);
            let pid = self.rng.range(100, 65000);
            let _ = write!(self.out, " {host} {app}[{pid}]: ");
        } else {
            let level = *self.rng.pick(LEVELS);
            let logger = *self.rng.pick(LOGGERS);
            let thread = self.rng.range(1, 64);
            let _ = write!(self.out, " {level:<5} [http-nio-8080-exec-{thread}] {logger} - ");
        }
    }

    /// The message part of a plain-text log line; about 2% carry PHI.
    fn log_message(&mut self) {
        if self.rng.chance(0.02) {
            return self.phi_message();
        }
        let rid = if self.rng.chance(0.5) { self.rng.uuid() } else { self.rng.hex(16) };
        match self.rng.below(10) {
            0..=2 => {
                // Access line; one in ten carries the client IP.
                let method = *self.rng.pick(METHODS);
                let path = self.path();
                let status = *self.rng.pick(STATUS);
                let ms = self.rng.range(1, 2500);
                let bytes = self.rng.range(0, 250_000);
                if self.rng.chance(0.1) {
                    let ip = self.ip();
                    self.phi("IP", &ip);
                    self.put(" - ");
                }
                let ua = *self.rng.pick(AGENTS);
                let _ = write!(self.out, "\"{method} {path} HTTP/1.1\" {status} {bytes} {ms}ms ua=\"{ua}\"");
            }
            3 => {
                let tenant = *self.rng.pick(TENANTS);
                let _ = write!(
                    self.out,
                    "request_id={rid} tenant={tenant} user_id={} latency_ms={} status={} cache={}",
                    self.rng.range(1000, 999_999),
                    self.rng.range(1, 900),
                    self.rng.pick(STATUS),
                    if self.rng.chance(0.7) { "hit" } else { "miss" }
                );
            }
            4 => {
                let _ = write!(
                    self.out,
                    "HikariPool-1 - Pool stats (total={}, active={}, idle={}, waiting={}) after {}ms housekeeping; leak detection threshold 60000ms",
                    self.rng.range(10, 50),
                    self.rng.range(0, 10),
                    self.rng.range(0, 40),
                    self.rng.range(0, 3),
                    self.rng.range(1, 30)
                );
            }
            5 => {
                let _ = write!(
                    self.out,
                    "Retrying job id={} queue=claims-ingest attempt={}/5 backoff={}ms reason=\"upstream returned 503 Service Unavailable\"",
                    self.rng.hex(24),
                    self.rng.range(1, 5),
                    self.rng.range(100, 8000)
                );
            }
            6 => {
                let _ = write!(
                    self.out,
                    "consumer group=hl7-adt partition={} offset={} lag={} fetched {} records in {:.1}ms version=2.{}.{} build={}",
                    self.rng.range(0, 23),
                    self.rng.range(1_000_000, 99_999_999),
                    self.rng.range(0, 5000),
                    self.rng.range(0, 500),
                    self.rng.range(1, 4000) as f64 / 10.0,
                    self.rng.range(0, 20),
                    self.rng.range(0, 9),
                    self.rng.hex(7)
                );
            }
            7 => {
                let _ = write!(
                    self.out,
                    "SELECT a.id, a.slot_start, a.status FROM appointments a WHERE a.provider_id = ? AND a.slot_start > ? took {:.2}ms rows={} rid={rid}",
                    self.rng.range(5, 90_000) as f64 / 100.0,
                    self.rng.range(0, 300)
                );
            }
            8 => {
                let _ = write!(
                    self.out,
                    "java.net.SocketTimeoutException: Read timed out at com.example.http.Client.send(Client.java:{}) rid={rid} elapsed={}ms",
                    self.rng.range(40, 900),
                    self.rng.range(5000, 30000)
                );
            }
            _ => {
                let w = *self.rng.pick(WORDS);
                let _ = write!(
                    self.out,
                    "Task {} {w} in {:.3}s queue=reminders worker=celery@{} retries={} eta=none rid={rid}",
                    self.rng.hex(8),
                    self.rng.range(1, 99_999) as f64 / 1000.0,
                    self.rng.pick(HOSTS),
                    self.rng.range(0, 3)
                );
            }
        }
    }

    /// A plain-text log message that carries one or two PHI values.
    fn phi_message(&mut self) {
        let rid = self.rng.hex(16);
        match self.rng.below(8) {
            0 => {
                let (f, l) = (self.first(), self.last());
                let title = *self.rng.pick(&["Mr.", "Mrs.", "Ms.", "Dr."]);
                let _ = write!(self.out, "Appointment reminder queued for {title} ");
                self.phi("NAME", &format!("{f} {l}"));
                let _ = write!(self.out, " slot={} channel=sms rid={rid}", self.rng.range(1, 48));
            }
            1 => {
                let (f, l) = (self.first(), self.last());
                self.put("Chart opened user=svc_portal patient=");
                self.phi("NAME", &format!("{f} {l}"));
                self.put(" mrn=");
                let m = self.mrn();
                self.phi("MRN", &m);
                let _ = write!(self.out, " rid={rid} elapsed={}ms", self.rng.range(3, 400));
            }
            2 => {
                self.put("Demographics update rejected: SSN ");
                let s = self.ssn();
                self.phi("SSN", &s);
                let _ = write!(self.out, " already on file for another account rid={rid}");
            }
            3 => {
                self.put("ADT^A08 received MRN: ");
                let m = self.mrn();
                self.phi("MRN", &m);
                let _ = write!(
                    self.out,
                    " ward={}{} bed={} rid={rid}",
                    self.rng.range(1, 9),
                    self.rng.pick(&["A", "B", "C"]),
                    self.rng.range(1, 30)
                );
            }
            4 => {
                self.put("SMS delivery failed phone=");
                let p = self.phone();
                self.phi("PHONE", &p);
                let _ = write!(self.out, " provider=twilio code=30003 rid={rid}");
            }
            5 => {
                let (f, l) = (self.first(), self.last());
                self.put("Bounce from ");
                let e = self.email(&f, &l);
                self.phi("EMAIL", &e);
                let _ = write!(self.out, ": 550 5.1.1 mailbox unavailable template=lab_results_ready rid={rid}");
            }
            6 => {
                self.put("Eligibility check failed: dob=");
                let d = self.dob();
                self.phi("DATE", &d);
                let _ = write!(
                    self.out,
                    " does not match payer record, payer=aetna member_ref={} rid={rid}",
                    self.rng.hex(10)
                );
            }
            _ => {
                let (f, l) = (self.first(), self.last());
                self.put("Patient lookup matched patient ");
                self.phi("NAME", &format!("{f} {l}"));
                self.put(" DOB: ");
                let d = self.dob();
                self.phi("DATE", &d);
                let _ = write!(self.out, " score=0.{} rid={rid}", self.rng.range(80, 99));
            }
        }
    }

    /// A JSON-lines record; about 2% carry PHI.
    fn json_line(&mut self) {
        let ts = self.timestamp(3);
        let level = self.rng.pick(LEVELS).to_ascii_lowercase();
        let logger = *self.rng.pick(LOGGERS);
        let rid = self.rng.uuid();
        let _ = write!(self.out, "{{\"ts\":\"{ts}\",\"level\":\"{level}\",\"logger\":\"{logger}\",");
        if self.rng.chance(0.02) {
            match self.rng.below(4) {
                0 => {
                    let (f, l) = (self.first(), self.last());
                    self.put("\"msg\":\"patient lookup\",\"patient_name\":\"");
                    self.phi("NAME", &format!("{f} {l}"));
                    self.put("\",\"dob\":\"");
                    let d = self.dob();
                    self.phi("DATE", &d);
                    self.put("\",");
                }
                1 => {
                    self.put("\"msg\":\"identity verification\",\"ssn\":\"");
                    let s = self.ssn();
                    self.phi("SSN", &s);
                    self.put("\",");
                }
                2 => {
                    let (f, l) = (self.first(), self.last());
                    self.put("\"msg\":\"portal invite sent\",\"email\":\"");
                    let e = self.email(&f, &l);
                    self.phi("EMAIL", &e);
                    self.put("\",");
                }
                _ => {
                    self.put("\"msg\":\"callback requested\",\"phone\":\"");
                    let p = self.phone();
                    self.phi("PHONE", &p);
                    self.put("\",");
                }
            }
        } else {
            let method = *self.rng.pick(METHODS);
            let path = self.path();
            let _ = write!(
                self.out,
                "\"msg\":\"request completed\",\"method\":\"{method}\",\"path\":\"{path}\",\"status\":{},\"duration_ms\":{:.1},",
                self.rng.pick(STATUS),
                self.rng.range(1, 30000) as f64 / 10.0
            );
            if self.rng.chance(0.05) {
                self.put("\"client_ip\":\"");
                let ip = self.ip();
                self.phi("IP", &ip);
                self.put("\",");
            }
        }
        let _ = write!(self.out, "\"request_id\":\"{rid}\"}}");
    }

    // --- clinical notes ----------------------------------------------------

    fn notes(&mut self, size: usize) {
        while self.out.len() < size {
            self.note();
        }
    }

    /// One note: a header and several paragraphs, each paragraph one unit.
    fn note(&mut self) {
        let (first, last) = (self.first(), self.last());
        let male = self.rng.chance(0.5);
        let (title, pro, poss) =
            if male { ("Mr.", "He", "his") } else { (*self.rng.pick(&["Mrs.", "Ms."]), "She", "her") };
        let age = if self.rng.chance(0.08) { self.rng.range(90, 102) } else { self.rng.range(19, 88) };

        let mark = self.begin();
        let section = *self.rng.pick(SECTIONS);
        let _ = write!(self.out, "{section}\nPatient: {title} ");
        self.phi("NAME", &format!("{first} {last}"));
        self.put("    DOB: ");
        let d = self.dob();
        self.phi("DATE", &d);
        self.put("    MRN: ");
        let m = self.mrn();
        self.phi("MRN", &m);
        self.put("\nDate of service: ");
        let d = self.recent_date();
        self.phi("DATE", &d);
        self.put("\n\n");
        self.end(mark);

        // HPI
        let mark = self.begin();
        let _ = write!(self.out, "HPI: {title} ");
        self.phi("NAME", &last);
        self.put(" is a ");
        if age >= 90 {
            self.phi("AGE_OVER_89", &age.to_string());
        } else {
            let _ = write!(self.out, "{age}");
        }
        let c1 = *self.rng.pick(CONDITIONS);
        let c2 = *self.rng.pick(CONDITIONS);
        let cc = *self.rng.pick(COMPLAINTS);
        let days = self.rng.range(1, 10);
        let _ = write!(
            self.out,
            "-year-old {} with a history of {c1} and {c2} who presents with {days} days of {cc}. ",
            if male { "man" } else { "woman" }
        );
        if self.rng.chance(0.5) {
            let _ = write!(self.out, "{pro} was last seen in clinic on ");
            let d = self.recent_date();
            self.phi("DATE", &d);
            self.put(" and");
        } else {
            self.put("Since the last visit, the patient");
        }
        let _ = write!(
            self.out,
            " reports good adherence to {poss} medications, a low-sodium diet and daily weights. Denies fevers, chills, or recent travel. \
             Symptoms are worse lying flat and partly relieved by rest. {pro} was brought in by {poss} ",
        );
        let rel = *self.rng.pick(&["daughter", "son", "wife", "husband", "sister", "neighbor"]);
        let rf = self.first();
        let _ = write!(self.out, "{rel} ");
        self.phi("NAME", &rf);
        if self.rng.chance(0.6) {
            self.put(", who can be reached at ");
            let p = self.phone();
            self.phi("PHONE", &p);
        } else {
            self.put(", who is at the bedside and helps with medications");
        }
        self.put(".\n\n");
        self.end(mark);

        // Vitals, meds, exam: mostly free of PHI, dense with numbers.
        let mark = self.begin();
        let _ = writeln!(
            self.out,
            "Vitals: T {:.1} C, HR {}, BP {}/{}, RR {}, SpO2 {}% on {}. Weight {:.1} kg, BMI {:.1}. Labs: Na {}, K {:.1}, Cr {:.2}, WBC {:.1}, Hgb {:.1}, troponin <0.01, BNP {}.",
            self.rng.range(360, 395) as f64 / 10.0,
            self.rng.range(55, 125),
            self.rng.range(95, 180),
            self.rng.range(50, 105),
            self.rng.range(12, 28),
            self.rng.range(86, 100),
            self.rng.pick(&["room air", "RA", "2L NC", "4L NC", "50% venturi mask"]),
            self.rng.range(450, 1400) as f64 / 10.0,
            self.rng.range(180, 450) as f64 / 10.0,
            self.rng.range(128, 146),
            self.rng.range(30, 55) as f64 / 10.0,
            self.rng.range(60, 300) as f64 / 100.0,
            self.rng.range(30, 180) as f64 / 10.0,
            self.rng.range(70, 160) as f64 / 10.0,
            self.rng.range(20, 3000)
        );
        let k = self.rng.range(3, 7) as usize;
        let meds = self.pick_distinct(MEDS, k).join("; ");
        let k = self.rng.range(3, 6) as usize;
        let exam = self.pick_distinct(EXAM, k).join(", ");
        let k = self.rng.range(1, 3) as usize;
        let pmh = self.pick_distinct(PMH, k).join(", ");
        let allergy = *self.rng.pick(ALLERGIES);
        let k = self.rng.range(1, 3) as usize;
        let pos = self.pick_distinct(ROS_POS, k).join(" and ");
        let k = self.rng.range(5, 9) as usize;
        let neg = self.pick_distinct(ROS_NEG, k).join(", ");
        let _ = write!(
            self.out,
            "Medications: {meds}.\nPast surgical history: {pmh}. Allergies: {allergy}.\n\
             Review of systems: positive for {pos}; negative for {neg}. All other systems reviewed and negative.\n\
             Exam: General: alert, in no acute distress. {exam}.\n\n"
        );
        self.end(mark);

        // Hospital course: clinical prose, no PHI.
        let mark = self.begin();
        let k = self.rng.range(5, 10) as usize;
        let course = self.pick_distinct(COURSE, k).join(" ");
        let _ = write!(self.out, "Hospital course: {course}\n\n");
        self.end(mark);

        // Assessment and plan
        let mark = self.begin();
        self.put("Assessment and Plan: ");
        if age >= 90 {
            self.phi("AGE_OVER_89", &age.to_string());
        } else {
            let _ = write!(self.out, "{age}");
        }
        let dx = *self.rng.pick(&[
            "CHF exacerbation",
            "community-acquired pneumonia",
            "NSTEMI",
            "UTI with sepsis",
            "volume overload",
            "orthostatic hypotension",
        ]);
        let _ = write!(self.out, "-year-old with {cc}, likely {dx}. ");
        let k = self.rng.range(2, 5) as usize;
        for p in self.pick_distinct(PLANS, k) {
            let _ = write!(self.out, "{}{}. ", p[..1].to_ascii_uppercase(), &p[1..]);
        }
        if self.rng.chance(0.4) {
            self.put("Discussed with ");
            let cf = self.first();
            let cl = self.last();
            self.put("Dr. ");
            self.phi("NAME", &format!("{cf} {cl}"));
            self.put(" of cardiology, who agrees. ");
        }
        if self.rng.chance(0.6) {
            self.put("Follow up in clinic on ");
            let d = self.recent_date();
            self.phi("DATE", &d);
            self.put(".");
        } else {
            self.put("Follow up with primary care in 1-2 weeks; return precautions reviewed.");
        }
        self.put("\n\n");
        self.end(mark);

        // Social history with an address, sometimes an e-mail.
        let mark = self.begin();
        let (city, state, zip) = *self.rng.pick(CITIES);
        let street = *self.rng.pick(STREETS);
        let _ = write!(
            self.out,
            "Social: Lives with {poss} {} at ",
            self.rng.pick(&["spouse", "daughter", "son", "partner"])
        );
        let num = self.rng.range(2, 9999);
        self.phi("ADDRESS", &format!("{num} {street}"));
        self.put(", ");
        self.phi("CITY", city);
        let _ = write!(self.out, ", {state} ");
        self.phi("ZIP", zip);
        let _ = write!(
            self.out,
            ". Former smoker, {} pack-years, quit in {}. Drinks {} glasses of wine per week. ",
            self.rng.range(5, 40),
            self.rng.range(1990, 2020),
            self.rng.range(0, 7)
        );
        if self.rng.chance(0.4) {
            self.put("Prefers e-mail for results: ");
            let e = self.email(&first, &last);
            self.phi("EMAIL", &e);
            self.put(". ");
        }
        if self.rng.chance(0.3) {
            self.put("SSN on file: ");
            let s = self.ssn();
            self.phi("SSN", &s);
            self.put(". ");
        }
        self.put("\n\n");
        self.end(mark);

        let mark = self.begin();
        let sf = self.first();
        let sl = self.last();
        self.put("Electronically signed by Dr. ");
        self.phi("NAME", &format!("{sf} {sl}"));
        let _ = write!(self.out, ", MD, pager {}\n\n\n", self.rng.range(1000, 9999));
        self.end(mark);
    }

    // --- CSV dump ----------------------------------------------------------

    fn csv(&mut self, size: usize) {
        self.put("patient_id,name,dob,ssn,phone,email,address,city,state,zip,notes\n");
        let mut id = 48_213u64;
        while self.out.len() < size {
            id += self.rng.range(1, 9);
            let mark = self.begin();
            let (f, l) = (self.first(), self.last());
            let _ = write!(self.out, "P-{id:07},");
            if self.rng.chance(0.5) {
                self.put("\"");
                self.phi("NAME", &format!("{l}, {f}"));
                self.put("\",");
            } else {
                self.phi("NAME", &format!("{f} {l}"));
                self.put(",");
            }
            let d = self.dob();
            if d.contains(',') {
                self.put("\"");
                self.phi("DATE", &d);
                self.put("\",");
            } else {
                self.phi("DATE", &d);
                self.put(",");
            }
            let s = self.ssn();
            self.phi("SSN", &s);
            self.put(",");
            let p = self.phone();
            self.phi("PHONE", &p);
            self.put(",");
            let e = self.email(&f, &l);
            self.phi("EMAIL", &e);
            self.put(",\"");
            let num = self.rng.range(2, 9999);
            let street = *self.rng.pick(STREETS);
            self.phi("ADDRESS", &format!("{num} {street}"));
            if self.rng.chance(0.3) {
                let _ = write!(self.out, " Apt {}", self.rng.range(1, 40));
            }
            let (city, state, zip) = *self.rng.pick(CITIES);
            self.put("\",");
            // City and ZIP sit in their own columns, without the `City, ST
            // 02115` shape: only a column-aware scan can know them.
            self.phi("CITY", city);
            let _ = write!(self.out, ",{state},");
            self.phi("ZIP", zip);
            let note = *self.rng.pick(CSV_NOTES);
            let _ = writeln!(self.out, ",\"{note}\"");
            self.end(mark);
        }
    }
}

/// Month and day of the `days`-th day (0-based) of 2024, a leap year;
/// past the year's end the calendar simply wraps.
fn month_day_2024(days: u64) -> (u64, u64) {
    const LEN: [u64; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut d = days % 366;
    for (i, &n) in LEN.iter().enumerate() {
        if d < n {
            return (i as u64 + 1, d + 1);
        }
        d -= n;
    }
    unreachable!()
}

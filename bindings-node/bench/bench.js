'use strict'
// Node benchmark (not run in CI): `bash bench/run.sh` from bindings-node/.
//
// One run reports, on the same seeded 200-byte log lines:
//   1. engine.scan per call from Node vs the Rust core on the same lines
//      (examples/core_scan.rs: Engine::scan in a Rust loop, same release
//      profile, no JavaScript in the loop) -> the binding's per-call overhead;
//   2. engine.scanBatch lines per second;
//   3. masker.mask per line vs redact-pii's SyncRedactor.redact per line (a
//      popular JavaScript PII redaction package), as a ratio, with the share
//      of planted PHI values each leaves in its output (a fast wrong answer
//      must show).
// Every timing is the median of several rounds after a warm-up.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const { Engine } = require('..')

const LINES = Number(process.env.BENCH_LINES ?? 2000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15)

// ---- seeded 200-byte log lines, ~25% carrying one planted PHI value ----
let seed = 0x9e3779b9
function rand () {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const pick = (xs) => xs[Math.floor(rand() * xs.length)]
const digits = (n) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('')
const FIRST = ['John', 'Maria', 'James', 'Linda', 'Robert', 'Patricia', 'Michael', 'Jennifer']
const LAST = ['Smith', 'Garcia', 'Johnson', 'Williams', 'Brown', 'Miller', 'Davis', 'Wilson']
const PHI = [
  () => ['SSN', `${100 + Math.floor(rand() * 560)}-${10 + Math.floor(rand() * 89)}-${1000 + Math.floor(rand() * 8999)}`, (v) => `ssn ${v}`],
  () => ['PHONE', `(617) 555-${digits(4)}`, (v) => `callback ${v}`],
  () => ['EMAIL', `${pick(FIRST).toLowerCase()}.${pick(LAST).toLowerCase()}${digits(2)}@example.org`, (v) => `email ${v}`],
  () => ['NAME', `${pick(FIRST)} ${pick(LAST)}`, (v) => `patient ${v}`],
  () => ['MRN', digits(8), (v) => `MRN ${v}`],
  () => ['DATE', `0${1 + Math.floor(rand() * 8)}/1${Math.floor(rand() * 9)}/19${50 + Math.floor(rand() * 40)}`, (v) => `DOB ${v}`],
  () => ['IP', `10.${Math.floor(rand() * 250)}.${Math.floor(rand() * 250)}.${1 + Math.floor(rand() * 250)}`, (v) => `client ${v}`],
]
const WORDS = 'request handled cache miss retry upstream latency queue worker batch commit rollback session token refresh scheduler job completed status ok'.split(' ')
function makeLine (i) {
  const ts = `2024-01-15T10:${String(i % 60).padStart(2, '0')}:${String((i * 7) % 60).padStart(2, '0')}.${digits(3)}Z`
  let planted = null
  let body = `${ts} ${pick(['INFO', 'WARN', 'DEBUG'])} ${pick(['api.patients', 'reports', 'scheduler', 'auth'])} req=${digits(6)}`
  if (rand() < 0.25) {
    const [entity, value, wrap] = pick(PHI)()
    planted = { entity, value }
    body += ' ' + wrap(value)
  }
  while (body.length < 200) body += ' ' + pick(WORDS)
  return { line: body.slice(0, 200).trimEnd(), planted }
}
const cases = Array.from({ length: LINES }, (_, i) => makeLine(i))
const lines = cases.map((c) => c.line)
const planted = cases.filter((c) => c.planted && c.line.includes(c.planted.value))

function median (xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}
// ns per line of fn over all lines, median of ROUNDS rounds after a warm-up round.
function time (fn) {
  fn()
  const per = []
  for (let r = 0; r < ROUNDS; r++) {
    const t = process.hrtime.bigint()
    fn()
    per.push(Number(process.hrtime.bigint() - t) / lines.length)
  }
  return median(per)
}
// Share of planted values still present in the outputs.
function leftIn (outputs) {
  let left = 0
  for (const [i, c] of cases.entries()) {
    if (c.planted && c.line.includes(c.planted.value) && outputs[i].includes(c.planted.value)) left++
  }
  return left / planted.length
}

// ---- phimask from Node, interleaved with the Rust core on the same lines ----
// The core runs in its own process (examples/core_scan.rs); on a shared,
// noisy machine the two are alternated REPEATS times and medians taken, so
// load drift hits both sides alike.
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3)
const engine = new Engine()
const findingsPerRound = lines.reduce((n, l) => n + engine.scan(l).length, 0)
assert.deepEqual(engine.scanBatch(lines), lines.map((l) => engine.scan(l)), 'scanBatch = scan')
const masker = engine.masker({ policy: 'mask' })
const phimaskLeft = leftIn(lines.map((l) => masker.mask(l)))

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phimask-bench-'))
const linesFile = path.join(dir, 'lines.txt')
fs.writeFileSync(linesFile, lines.join('\n') + '\n')
function runCore () {
  const out = execFileSync('cargo', ['run', '--quiet', '--release', '-p', 'phimask-node', '--example', 'core_scan', '--', linesFile, String(ROUNDS)], {
    cwd: path.join(__dirname, '..'),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const core = JSON.parse(out.trim().split('\n').pop())
  assert.equal(core.findings_per_round, findingsPerRound, 'the core and Node find the same number of values')
  return core
}
const samples = { coreScan: [], coreMask: [], scan: [], batch: [], mask: [] }
try {
  for (let rep = 0; rep < REPEATS; rep++) {
    const core = runCore()
    samples.coreScan.push(core.scan_ns_per_line)
    samples.coreMask.push(core.mask_ns_per_line)
    samples.scan.push(time(() => {
      for (const l of lines) engine.scan(l)
    }))
    samples.batch.push(time(() => engine.scanBatch(lines)))
    samples.mask.push(time(() => {
      for (const l of lines) masker.mask(l)
    }))
  }
} finally {
  fs.rmSync(dir, { recursive: true })
}
const core = { scan_ns_per_line: median(samples.coreScan), mask_ns_per_line: median(samples.coreMask) }
const scanNs = median(samples.scan)
const batchNs = median(samples.batch)
const maskNs = median(samples.mask)
// The fixed cost of one call, with no text to scan.
const emptyNs = (() => {
  const n = 200000
  for (let i = 0; i < 1000; i++) engine.scan('')
  const t = process.hrtime.bigint()
  for (let i = 0; i < n; i++) engine.scan('')
  return Number(process.hrtime.bigint() - t) / n
})()

// ---- redact-pii on the same lines ----
let redact = null
try {
  const { SyncRedactor } = require(process.env.REDACT_PII_PATH ?? 'redact-pii')
  const redactor = new SyncRedactor()
  const ns = time(() => {
    for (const l of lines) redactor.redact(l)
  })
  redact = { ns, left: leftIn(lines.map((l) => redactor.redact(l))), version: process.env.REDACT_PII_VERSION ?? '?' }
} catch (err) {
  console.error(`redact-pii not available (${err.code ?? err.message}); run bench/run.sh to install it for the bench`)
}

const f = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
const perSec = (ns) => f(1e9 / ns)
console.log(`phimask Node benchmark: ${LINES} seeded log lines of 200 bytes (${planted.length} with a planted PHI value, ${findingsPerRound} findings), median of ${ROUNDS} rounds × ${REPEATS} repeats alternating with the core; node ${process.version}, ${os.cpus()[0].model}, ${os.cpus().length} cores`)
console.log('')
console.log('| what | per line | lines/s |')
console.log('|---|---:|---:|')
console.log(`| Rust core \`Engine::scan\` (examples/core_scan.rs) | ${f(core.scan_ns_per_line / 1000, 2)} µs | ${perSec(core.scan_ns_per_line)} |`)
console.log(`| Node \`engine.scan(line)\` | ${f(scanNs / 1000, 2)} µs | ${perSec(scanNs)} |`)
console.log(`| Node \`engine.scanBatch(${LINES} lines)\` | ${f(batchNs / 1000, 2)} µs | ${perSec(batchNs)} |`)
console.log(`| Rust core \`Masker::mask_str\` (preset mask) | ${f(core.mask_ns_per_line / 1000, 2)} µs | ${perSec(core.mask_ns_per_line)} |`)
console.log(`| Node \`masker.mask(line)\` (preset mask) | ${f(maskNs / 1000, 2)} µs | ${perSec(maskNs)} |`)
if (redact) console.log(`| redact-pii ${redact.version} \`SyncRedactor.redact(line)\` | ${f(redact.ns / 1000, 2)} µs | ${perSec(redact.ns)} |`)
console.log('')
console.log(`binding overhead per engine.scan call: ${f(scanNs - core.scan_ns_per_line)} ns (${f(scanNs / core.scan_ns_per_line, 2)}× the core); per masker.mask call: ${f(maskNs - core.mask_ns_per_line)} ns; engine.scan('') takes ${f(emptyNs)} ns`)
console.log(`planted values left in the output: phimask mask ${f(phimaskLeft * 100, 1)}%` + (redact ? `, redact-pii ${f(redact.left * 100, 1)}%` : ''))
if (redact) console.log(`phimask masker.mask is ${f(redact.ns / maskNs, 1)}× the speed of redact-pii on the same lines (scanBatch: ${f(redact.ns / batchNs, 1)}×)`)

'use strict'
// Parity with the Rust core on the shared golden cases (tests/golden/scan.toml,
// also run by tests/golden.rs and the Python suite): same findings, with
// offsets as JavaScript string indices (UTF-16 code units).
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { parse } = require('smol-toml')
const { Engine } = require('..')

const golden = parse(fs.readFileSync(path.join(__dirname, '..', '..', 'tests', 'golden', 'scan.toml'), 'utf8'))
const engine = new Engine()

test('the golden file has cases', () => {
  assert.ok(golden.case.length >= 10, `only ${golden.case.length} cases`)
})

for (const c of golden.case) {
  test(`golden: ${c.name}`, () => {
    const found = engine.scan(c.text)
    assert.deepEqual(
      found.map((f) => [f.entity, c.text.slice(f.start, f.end)]),
      c.findings,
    )
    for (const f of found) {
      assert.ok(f.start < f.end && f.end <= c.text.length)
      assert.match(f.safeHarbor, /^[A-R]$/)
      assert.ok(f.score >= 0.5 && f.score <= 1, `score ${f.score}`)
      assert.equal(typeof f.detector, 'string')
    }
  })
}

test('UTF-16 offsets after astral characters are JavaScript string indices', () => {
  const text = '😀😀 Dr. Kent Jaworski 🧑🏽‍⚕️ SSN 123-45-6789 — Zoë email jdoe@example.org 😀'
  const found = engine.scan(text)
  const values = found.map((f) => text.slice(f.start, f.end))
  // Zoë is a listed given name once its diaeresis is folded for look-up.
  assert.deepEqual(values, ['Kent Jaworski', '123-45-6789', 'Zoë', 'jdoe@example.org'])
  for (const [i, f] of found.entries()) {
    assert.equal(f.start, text.indexOf(values[i]))
    assert.equal(f.end, text.indexOf(values[i]) + values[i].length)
  }
  // The same text without the astral characters: offsets differ by their
  // UTF-16 length, so the binding really converts (and not by code point).
  const plain = text.replace(/[\u{1F300}-\u{1FAFF}]/gu, 'xx')
  assert.deepEqual(engine.scan(plain).map((f) => f.start), found.map((f) => f.start))
})

test('scanBatch and scanField agree with scan', () => {
  const texts = golden.case.map((c) => c.text)
  assert.deepEqual(engine.scanBatch(texts), texts.map((t) => engine.scan(t)))
  assert.deepEqual(engine.scanBatch([]), [])
  // A key named `ssn` is context: a bare 9-digit value becomes an SSN.
  assert.deepEqual(engine.scan('536228726'), [])
  assert.deepEqual(engine.scanField('ssn', '536228726').map((f) => f.entity), ['SSN'])
})

test('engine options select detectors', () => {
  const text = 'pt John Smith SSN 123-45-6789 DOB 03/14/1962'
  const ssnOnly = new Engine({ entities: ['SSN'] })
  assert.deepEqual(ssnOnly.scan(text).map((f) => f.entity), ['SSN'])
  const noNames = new Engine({ excludeEntities: ['NAME'], minScore: 0.5 })
  assert.deepEqual(noNames.scan(text).map((f) => f.entity), ['SSN', 'DATE'])
  const noFormatted = new Engine({ disableDetectors: ['ssn-formatted'] })
  assert.ok(!noFormatted.scan(text).some((f) => f.detector === 'ssn-formatted'))
  const custom = new Engine({
    defaultPatterns: false,
    patternToml: `
[[detector]]
id = "acme-mrn"
entity = "MRN"
regex = '\\bAC-\\d{8}\\b'
score = 0.8
match = ["MRN AC-00123456"]
`,
  })
  const t = 'see AC-00123456 and SSN 123-45-6789'
  assert.deepEqual(custom.scan(t).map((f) => [f.entity, f.detector, t.slice(f.start, f.end)]), [
    ['MRN', 'acme-mrn', 'AC-00123456'],
  ])
})

test('an empty string and text without PHI give no findings', () => {
  assert.deepEqual(engine.scan(''), [])
  assert.deepEqual(engine.scan('the quick brown fox'), [])
})

test('lone surrogates do not shift offsets', () => {
  const text = '\uD83D x SSN 123-45-6789'
  const [f] = engine.scan(text)
  assert.equal(text.slice(f.start, f.end), '123-45-6789')
})

'use strict'
// Masking from Node: presets, policies, keys, round trips through
// tokenize, records with entity-named keys, and the reusable Masker.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { Engine, Key } = require('..')

// A fixed test key: 32 distinct bytes, one key per seed (repeated or counting bytes are weak keys, refused).
const testKey = (seed) => Buffer.from(Array.from({ length: 32 }, (_, i) => ((i * 73 + seed) & 0xff) ^ 0x5c))

const engine = new Engine()
const key = Key.fromBytes(testKey(7))

test('presets do what the README table says', () => {
  assert.equal(engine.mask('SSN 123-45-6789'), 'SSN ***-**-6789')
  assert.equal(engine.mask('SSN 123-45-6789', { policy: 'mask' }), 'SSN ***-**-6789')
  assert.equal(engine.mask('SSN 123-45-6789', { policy: 'redact' }), 'SSN ')
  assert.equal(engine.mask('SSN 123-45-6789', { policy: 'label' }), 'SSN [SSN_1]')
  assert.match(engine.mask('SSN 123-45-6789', { policy: 'hash', key }), /^SSN SSN_[0-9a-f]{10}$/)
  assert.equal(
    engine.mask('DOB 03/14/1962 age 92 SSN 123-45-6789', { policy: 'safe-harbor' }),
    'DOB 1962 age 90+ SSN [SSN_1]',
  )
  // Text around the findings is copied unchanged, emoji included.
  assert.equal(engine.mask('😀 SSN 123-45-6789 😀'), '😀 SSN ***-**-6789 😀')
})

test('tokenize round trips structured identifiers in text', () => {
  const texts = [
    'SSN 123-45-6789',
    'call (617) 555-0123 or email jdoe@example.org',
    'MRN 00123456 DOB 03/14/1962',
    'IP 10.2.3.4 card 4111 1111 1111 1111',
  ]
  for (const text of texts) {
    const masked = engine.mask(text, { policy: 'tokenize', key })
    assert.notEqual(masked, text)
    assert.equal(engine.unmask(masked, key, { keyId: key.keyId }), text)
  }
  // A name with too few ASCII letters to tokenize (`Zoë`) is masked one-way,
  // never left in clear; the rest still round-trips.
  const mixed = '😀 née Zoë — SSN 536-22-8726, phone 617-555-0199'
  const masked = engine.mask(mixed, { policy: 'tokenize', key })
  assert.ok(!masked.includes('Zoë') && !masked.includes('536-22-8726'), masked)
  assert.equal(engine.unmask(masked, key, { keyId: key.keyId }), mixed.replace('Zoë', '***'))
  // Format-preserving: an SSN token is still an SSN-shaped value.
  assert.match(engine.mask('SSN 123-45-6789', { policy: 'tokenize', key }), /^SSN \d{3}-\d{2}-\d{4}$/)
  // Deterministic per key; another key gives other tokens and does not reverse them.
  const once = engine.mask('SSN 123-45-6789', { policy: 'tokenize', key })
  assert.equal(engine.mask('SSN 123-45-6789', { policy: 'tokenize', key }), once)
  const other = Key.fromBytes(testKey(9))
  assert.notEqual(engine.mask('SSN 123-45-6789', { policy: 'tokenize', key: other }), once)
  assert.notEqual(engine.unmask(once, other, { unverified: true }), 'SSN 123-45-6789')
  // A wrong key against the recorded key id, or no key id at all, is an error.
  assert.throws(() => engine.unmask(once, other, { keyId: key.keyId }), (err) => err.code === 'PHIMASK_KEY' && /wrong key/.test(err.message))
  assert.throws(() => engine.unmask(once, key), (err) => err.code === 'PHIMASK_KEY')
})

test('a field name is context and part of the tweak', () => {
  const masked = engine.mask('536228726', { policy: 'tokenize', key, field: 'ssn' })
  assert.match(masked, /^\d{9}$/)
  assert.notEqual(masked, '536228726')
  assert.equal(engine.unmask(masked, key, { field: 'ssn', keyId: key.keyId }), '536228726')
})

test('maskRecord masks entity-named keys whole and scans the rest; unmaskRecord reverses tokenize', () => {
  const record = {
    patient_name: 'Jane Roe',
    ssn: '123-45-6789',
    mrn: 12345678,
    dob: '1962-03-14',
    notes: 'call 617-555-0123',
    visits: [{ phone: '617-555-0199', email: 'jroe@example.org' }],
    ok: true,
    missing: null,
  }
  const copy = structuredClone(record)
  const masked = engine.maskRecord(record, { policy: 'tokenize', key })
  assert.deepEqual(record, copy, 'the input object is not modified')
  assert.deepEqual(Object.keys(masked), Object.keys(record), 'key order kept')
  for (const k of ['patient_name', 'ssn', 'dob', 'notes']) assert.notEqual(masked[k], record[k], k)
  assert.equal(typeof masked.mrn, 'number', 'a PHI number stays a number under tokenize')
  assert.notEqual(masked.mrn, record.mrn)
  assert.notEqual(masked.visits[0].phone, record.visits[0].phone)
  assert.equal(masked.ok, true)
  assert.equal(masked.missing, null)
  assert.deepEqual(engine.unmaskRecord(masked, key, { keyId: key.keyId }), record)

  const shown = engine.maskRecord(record)
  assert.equal(shown.ssn, '***-**-6789')
  assert.equal(shown.notes, 'call ***-***-0123')
})

test('maskBatch masks each text with one masker', () => {
  assert.deepEqual(engine.maskBatch(['SSN 123-45-6789', 'none', 'SSN 536-22-8726 / 123-45-6789'], { policy: 'label' }), [
    'SSN [SSN_1]',
    'none',
    'SSN [SSN_2] / [SSN_1]',
  ])
  assert.deepEqual(engine.maskBatch([]), [])
})

test('a Masker keeps label numbers and counts across calls', () => {
  const masker = engine.masker({ policy: 'label' })
  assert.equal(masker.mask('SSN 123-45-6789 and SSN 536-22-8726'), 'SSN [SSN_1] and SSN [SSN_2]')
  assert.equal(masker.mask('again SSN 123-45-6789'), 'again SSN [SSN_1]')
  const stats = masker.stats()
  assert.equal(stats.total, 3)
  assert.deepEqual(stats.byEntity, [{ entity: 'SSN', operator: 'label', count: 3 }])
  assert.ok(stats.bytes > 0)
})

test('Masker methods: maskField, maskValue/unmaskValue, maskRecord with subjectField, setSubject', () => {
  const masker = engine.masker({ policy: 'tokenize', key })
  const token = masker.maskValue('SSN', '123-45-6789', 'ssn')
  assert.match(token, /^\d{3}-\d{2}-\d{4}$/)
  assert.equal(masker.unmaskValue('SSN', token, 'ssn'), '123-45-6789')
  const field = masker.maskField('ssn', '536228726')
  assert.equal(masker.unmaskField('ssn', field), '536228726')
  assert.equal(masker.unmask(masker.mask('MRN 00123456')), 'MRN 00123456')

  const shifter = engine.masker({
    policyToml: '[default]\noperator = "mask"\n[entity.DATE]\noperator = "date-shift"\n',
    key,
    subjectField: 'patient_id',
  })
  const rows = shifter.maskRecord([
    { patient_id: 'P-1', dob: '03/14/1962', seen: '03/20/1962' },
    { patient_id: 'P-2', dob: '03/14/1962', seen: '03/20/1962' },
  ])
  // One subject's dates move together (their interval survives).
  const days = (a, b) => (new Date(b) - new Date(a)) / 86400000
  assert.equal(days(rows[0].dob, rows[0].seen), 6)
  assert.equal(days(rows[1].dob, rows[1].seen), 6)
  shifter.setSubject('P-1')
  assert.equal(shifter.mask('DOB 03/14/1962'), `DOB ${rows[0].dob}`)
})

test('policies from a .toml file, and keys from a file and an environment variable', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phimask-node-'))
  try {
    const policy = path.join(dir, 'policy.toml')
    fs.writeFileSync(policy, '[default]\noperator = "redact"\n[entity.SSN]\noperator = "label"\n')
    assert.equal(engine.mask('SSN 123-45-6789 call 617-555-0123', { policy }), 'SSN [SSN] call ')

    const hex = testKey(7).toString('hex')
    const keyFile = path.join(dir, 'key.hex')
    fs.writeFileSync(keyFile, hex + '\n')
    assert.equal(Key.fromFile(keyFile).keyId, key.keyId)
    process.env.PHIMASK_TEST_KEY = hex
    try {
      assert.equal(Key.fromEnv('PHIMASK_TEST_KEY').keyId, key.keyId)
    } finally {
      delete process.env.PHIMASK_TEST_KEY
    }
    const fresh = Key.generate()
    assert.match(fresh.keyId, /^[0-9a-f]{8}$/)
    assert.notEqual(fresh.keyId, key.keyId)
  } finally {
    fs.rmSync(dir, { recursive: true })
  }
})

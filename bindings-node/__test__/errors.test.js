'use strict'
// Error codes per core error kind, and no PHI or key material in errors,
// findings, keys or maskers however they are printed.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const util = require('node:util')
const { Engine, Key, version } = require('..')

// A fixed test key: 32 distinct bytes, one key per seed (repeated or counting bytes are weak keys, refused).
const testKey = (seed) => Buffer.from(Array.from({ length: 32 }, (_, i) => ((i * 73 + seed) & 0xff) ^ 0x5c))

const engine = new Engine()
const key = Key.fromBytes(testKey(7))

function throwsCode (fn, code, message) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof Error)
    assert.equal(err.code, code, `${err.code}: ${err.message}`)
    if (message) assert.match(err.message, message)
    return true
  })
}

test('PHIMASK_PATTERN: invalid or unreadable pattern definitions, naming file, detector and field', () => {
  throwsCode(
    () => new Engine({ patternToml: '[[detector]]\nid = "acme"\nentity = "MRN"\nregex = "("\n' }),
    'PHIMASK_PATTERN',
    /detector 'acme': field 'regex'/,
  )
  assert.throws(
    () => new Engine({ patternToml: '[[detector]]\nid = "acme"\nentity = "MRN"\nregex = "("\n' }),
    (err) => err.detectorId === 'acme' && err.field === 'regex' && err.path === 'patternToml' && err.line === 1,
  )
  throwsCode(() => new Engine({ patternToml: 'not = [toml' }), 'PHIMASK_PATTERN')
  throwsCode(() => new Engine({ patterns: ['/nonexistent/acme.toml'] }), 'PHIMASK_PATTERN', /acme\.toml/)
})

test('PHIMASK_CONFIG: bad engine options and policies', () => {
  throwsCode(() => new Engine({ entities: ['NOT_AN_ENTITY'] }), 'PHIMASK_CONFIG')
  throwsCode(() => new Engine({ minScore: 2 }), 'PHIMASK_CONFIG', /min_score/)
  throwsCode(() => new Engine({ contextWindow: 100000 }), 'PHIMASK_CONFIG')
  throwsCode(() => new Engine({ disableDetectors: ['no-such-detector'] }), 'PHIMASK_CONFIG', /no-such-detector/)
  throwsCode(() => engine.mask('x', { policy: 'no-such-preset' }), 'PHIMASK_CONFIG', /presets:/)
  throwsCode(() => engine.mask('x', { policy: 'mask', policyToml: '[default]\noperator = "mask"' }), 'PHIMASK_CONFIG')
  throwsCode(() => engine.mask('x', { policyToml: '[default]\noperator = "shred"' }), 'PHIMASK_CONFIG')
  throwsCode(() => engine.masker().maskValue('NOT_AN_ENTITY', 'x'), 'PHIMASK_CONFIG')
})

test('PHIMASK_KEY: missing, short or malformed keys', () => {
  throwsCode(() => engine.mask('SSN 123-45-6789', { policy: 'tokenize' }), 'PHIMASK_KEY')
  throwsCode(() => engine.masker().unmask('SSN 123-45-6789'), 'PHIMASK_KEY')
  throwsCode(() => Key.fromBytes(Buffer.alloc(16, 1)), 'PHIMASK_KEY', /16 bytes/)
  throwsCode(() => Key.fromEnv('PHIMASK_TEST_UNSET_VARIABLE'), 'PHIMASK_KEY', /PHIMASK_TEST_UNSET_VARIABLE/)
  throwsCode(() => Key.fromFile('/nonexistent/key.bin'), 'PHIMASK_KEY')
})

test('PHIMASK_INPUT: a malformed record, named by line and never quoted', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phimask-node-'))
  try {
    const src = path.join(dir, 'patients.csv')
    fs.writeFileSync(src, 'name,ssn\n"Jane Roe,123-45-6789\n')
    await assert.rejects(engine.maskFileAsync(src, path.join(dir, 'out.csv')), (err) => {
      assert.ok(err instanceof Error)
      assert.equal(err.code, 'PHIMASK_INPUT', err.message)
      assert.ok(!err.message.includes('Roe') && !err.message.includes('123-45'), err.message)
      return true
    })
  } finally {
    fs.rmSync(dir, { recursive: true })
  }
})

test('error messages hold no scanned text, token or key material', () => {
  const secret = 'correct horse battery staple John Smith 123-45-6789'
  process.env.PHIMASK_TEST_BAD_KEY = secret
  try {
    assert.throws(() => Key.fromEnv('PHIMASK_TEST_BAD_KEY'), (err) => {
      assert.equal(err.code, 'PHIMASK_KEY')
      assert.ok(!err.message.includes('horse') && !err.message.includes('123-45'), err.message)
      return true
    })
  } finally {
    delete process.env.PHIMASK_TEST_BAD_KEY
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phimask-node-'))
  try {
    const file = path.join(dir, 'key.txt')
    fs.writeFileSync(file, secret + '\n')
    assert.throws(() => Key.fromFile(file), (err) => {
      assert.equal(err.code, 'PHIMASK_KEY')
      assert.ok(!err.message.includes('horse') && !err.message.includes('Smith'), err.message)
      return true
    })
  } finally {
    fs.rmSync(dir, { recursive: true })
  }
  const short = Buffer.from('0123456789abcdef')
  assert.throws(() => Key.fromBytes(short), (err) => !err.message.includes('0123456789') && !err.message.includes('30313233'))
})

test('findings, keys, maskers and engines print no PHI and no key bytes', () => {
  const text = 'pt John Smith SSN 123-45-6789 email jdoe@example.org'
  const findings = engine.scan(text)
  assert.equal(findings.length, 3)
  for (const shown of [util.inspect(findings, { depth: 5 }), JSON.stringify(findings), String(findings.map(Object.values))]) {
    for (const value of ['John', 'Smith', '123-45-6789', '123-45', 'jdoe', 'example.org']) {
      assert.ok(!shown.includes(value), `${value} in ${shown}`)
    }
  }
  assert.deepEqual(findings.map((f) => f.preview), ['J*** S****', '***-**-6789', '****@*******.***'])

  const bytes = testKey(200)
  const secretKey = Key.fromBytes(bytes)
  const forms = [
    util.inspect(secretKey, { showHidden: true, depth: 5 }),
    String(secretKey),
    JSON.stringify(secretKey),
    JSON.stringify(Object.getOwnPropertyNames(secretKey)),
    util.inspect(engine.masker({ policy: 'tokenize', key: secretKey }), { showHidden: true }),
    util.inspect(engine, { showHidden: true }),
  ]
  for (const shown of forms) {
    for (const encoded of [bytes.toString('hex'), bytes.toString('base64'), bytes.toString('hex').slice(0, 16), String(bytes[0]) + ',' + String(bytes[1])]) {
      assert.ok(!shown.includes(encoded), `key bytes in ${shown}`)
    }
  }
  assert.equal(String(secretKey), `Key(${secretKey.keyId})`)
  assert.equal(JSON.stringify(secretKey), JSON.stringify({ keyId: secretKey.keyId }))
})

test('version is the crate version', () => {
  assert.equal(version(), require('../package.json').version)
})

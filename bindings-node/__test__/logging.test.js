'use strict'
// pino and winston integrations: every record masked before it is written,
// the application's objects untouched, and no throw into the application.
const test = require('node:test')
const assert = require('node:assert/strict')
const { Writable } = require('node:stream')
const pino = require('pino')
const winston = require('winston')
const { Engine, Key } = require('..')
const { pinoOptions, winstonFormat, createRedactor, FAILED } = require('../logging')

// A fixed test key: 32 distinct bytes, one key per seed (repeated or counting bytes are weak keys, refused).
const testKey = (seed) => Buffer.from(Array.from({ length: 32 }, (_, i) => ((i * 73 + seed) & 0xff) ^ 0x5c))

const PHI = ['John', 'Smith', '123-45-6789', '536228726', 'jdoe@example.org', '555-0123', '00123456', 'Maria', 'Garcia']

function assertClean (out) {
  for (const value of PHI) assert.ok(!out.includes(value), `${value} leaked: ${out}`)
}

function pinoLogger (options, extra = {}) {
  const lines = []
  const logger = pino({ ...pinoOptions(options), ...extra }, { write: (s) => lines.push(s) })
  return { logger, lines, records: () => lines.map((l) => JSON.parse(l)) }
}

test('pino: message, interpolation, merging object, nested fields and errors are masked', () => {
  const { logger, lines, records } = pinoLogger()
  logger.info('patient John Smith SSN 123-45-6789')
  const user = { ssn: '536228726', contact: { email: 'jdoe@example.org', tags: ['call 617-555-0123'] }, count: 3 }
  const before = structuredClone(user)
  logger.info(user, 'lookup for %s at %s', 'John Smith', 'jdoe@example.org')
  const err = new Error('lookup failed for MRN 00123456')
  err.detail = 'pt John Smith'
  logger.error(err)
  logger.error({ err }, 'failed')
  logger.warn({ nested: { deeper: { deepest: 'SSN 123-45-6789' } } })

  assertClean(lines.join(''))
  const [first, second, third, fourth, fifth] = records()
  assert.equal(first.msg, 'patient **** ***** SSN ***-**-6789')
  assert.equal(second.msg, 'lookup for **** ***** at ****@*******.***')
  assert.equal(second.ssn, '*****8726')
  assert.equal(second.contact.email, '****@*******.***')
  assert.deepEqual(second.contact.tags, ['call ***-***-0123'])
  assert.equal(second.count, 3)
  assert.equal(third.err.type, 'Error')
  assert.equal(third.err.message, 'lookup failed for MRN ****3456')
  assert.match(third.err.stack, /^Error: lookup failed for MRN \*\*\*\*3456\n/)
  assert.equal(third.err.detail, 'pt **** *****')
  assert.equal(third.msg, 'lookup failed for MRN ****3456')
  assert.equal(fourth.msg, 'failed')
  assert.equal(fourth.err.message, 'lookup failed for MRN ****3456')
  assert.equal(fifth.nested.deeper.deepest, 'SSN ***-**-6789')
  assert.deepEqual(user, before, 'the logged object is not modified')
  assert.equal(err.message, 'lookup failed for MRN 00123456', 'the logged error is not modified')
})

test('pino: child bindings are masked, nested children too, and parent fields stay once', () => {
  const { logger, lines, records } = pinoLogger()
  const child = logger.child({ patient: 'Maria Garcia', service: 'intake' })
  child.info('ok')
  child.child({ ssn: '123-45-6789' }).info('nested')
  assertClean(lines.join(''))
  const [a, b] = records()
  assert.equal(a.patient, '***** ******')
  assert.equal(a.service, 'intake')
  assert.equal(b.patient, '***** ******')
  assert.equal(b.ssn, '***-**-6789')
  assert.equal(lines[1].match(/"patient"/g).length, 1)
})

test('pino with tokenize: logged values can be reversed with the key', () => {
  const engine = new Engine()
  const key = Key.fromBytes(testKey(7))
  const { logger, lines, records } = pinoLogger({ engine, mask: { policy: 'tokenize', key } })
  logger.info({ mrn: 'MRN 00123456' }, 'SSN 123-45-6789')
  assertClean(lines.join(''))
  const [r] = records()
  assert.equal(engine.unmask(r.msg, key, { keyId: key.keyId }), 'SSN 123-45-6789')
  // Masked once, not twice: the token reverses in one step.
  assert.equal(engine.unmask(r.mrn, key, { field: 'mrn', keyId: key.keyId }), 'MRN 00123456')
})

test('pino: a failing masker never throws into the application and fails closed', () => {
  const broken = { mask () { throw new Error('boom') }, maskField () { throw new Error('boom') } }
  const { logger, lines, records } = pinoLogger({ masker: broken })
  assert.doesNotThrow(() => logger.info({ ssn: '123-45-6789' }, 'SSN 123-45-6789'))
  assert.doesNotThrow(() => logger.child({ patient: 'Maria Garcia' }).info('x'))
  assertClean(lines.join(''))
  const [r] = records()
  assert.equal(r.msg, FAILED)
  assert.equal(r.ssn, FAILED)
})

test('pino: circular and very deep objects are handled', () => {
  const { logger, lines, records } = pinoLogger()
  const a = { name: 'pt John Smith' }
  a.self = a
  let deep = { v: 'SSN 123-45-6789' }
  for (let i = 0; i < 20; i++) deep = { d: deep }
  assert.doesNotThrow(() => logger.info({ a, deep }, 'x'))
  assertClean(lines.join(''))
  const [r] = records()
  assert.equal(r.a.name, 'pt **** *****')
  assert.equal(r.a.self, '[Circular]')
})

function winstonLogger (formats) {
  const lines = []
  const stream = new Writable({
    write (chunk, _enc, cb) {
      lines.push(chunk.toString())
      cb()
    },
  })
  const logger = winston.createLogger({
    format: winston.format.combine(...formats),
    transports: [new winston.transports.Stream({ stream })],
  })
  return { logger, lines }
}

test('winston: message, metadata, splat arguments and errors are masked', async () => {
  const { logger, lines } = winstonLogger([winstonFormat(), winston.format.errors({ stack: true }), winston.format.splat(), winston.format.json()])
  const meta = { mrn: 'MRN 00123456', user: { email: 'jdoe@example.org' } }
  const before = structuredClone(meta)
  logger.info('patient %s SSN 123-45-6789', 'John Smith', meta)
  logger.error(new Error('failed for jdoe@example.org'))
  logger.warn('call', { phone: '(617) 555-0123' })
  await new Promise((resolve) => setImmediate(resolve))
  assertClean(lines.join(''))
  const [a, b, c] = lines.map((l) => JSON.parse(l))
  assert.equal(a.message, 'patient **** ***** SSN ***-**-6789')
  assert.equal(a.mrn, 'MRN ****3456')
  assert.equal(a.user.email, '****@*******.***')
  assert.equal(b.message, 'failed for ****@*******.***')
  assert.match(b.stack, /^Error: failed for \*{4}@/)
  assert.equal(c.phone, '(***) ***-0123')
  assert.deepEqual(meta, before, 'metadata objects are not modified')
})

test('winston: placed after a formatter, the rendered line is masked too', async () => {
  const { logger, lines } = winstonLogger([winston.format.simple(), winstonFormat()])
  logger.info('SSN 123-45-6789 for John Smith')
  await new Promise((resolve) => setImmediate(resolve))
  assertClean(lines.join(''))
  assert.equal(lines[0].trim(), 'info: SSN ***-**-6789 for **** *****')
})

test('winston: a failing masker never throws and fails closed', async () => {
  const broken = { mask () { throw new Error('boom') }, maskField () { throw new Error('boom') } }
  const { logger, lines } = winstonLogger([winstonFormat({ masker: broken }), winston.format.json()])
  assert.doesNotThrow(() => logger.info('SSN 123-45-6789', { ssn: '123-45-6789' }))
  await new Promise((resolve) => setImmediate(resolve))
  assertClean(lines.join(''))
  assert.equal(JSON.parse(lines[0]).message, FAILED)
})

test('createRedactor masks values without touching non-strings', () => {
  const r = createRedactor()
  assert.equal(r.text('SSN 123-45-6789'), 'SSN ***-**-6789')
  assert.equal(r.text('536228726', 'ssn'), '*****8726')
  assert.deepEqual(r.value({ n: 1, b: true, z: null, s: 'DOB 03/14/1962', when: new Date(0) }), {
    n: 1,
    b: true,
    z: null,
    s: 'DOB **/**/****',
    when: '1970-01-01T00:00:00.000Z',
  })
  assert.equal(r.masker.stats().total, 3)
})

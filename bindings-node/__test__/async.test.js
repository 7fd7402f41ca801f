'use strict'
// scanAsync and maskFileAsync: libuv pool, AbortSignal, atomic output.
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
const LINE = '2024-01-15T10:22:01Z INFO visit pt John Smith SSN 123-45-6789 call (617) 555-0123\n'

function tmpdir (t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phimask-node-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

function bigFile (dir, mib) {
  const file = path.join(dir, 'big.log')
  fs.writeFileSync(file, LINE.repeat(Math.ceil((mib * 1024 * 1024) / LINE.length)))
  return file
}

test('scanAsync gives what scan gives', async () => {
  const text = '😀 pt John Smith SSN 123-45-6789 DOB 03/14/1962'
  assert.deepEqual(await engine.scanAsync(text), engine.scan(text))
  const many = await Promise.all(Array.from({ length: 16 }, (_, i) => engine.scanAsync(`${i} ${text}`)))
  assert.equal(many.length, 16)
  for (const found of many) assert.equal(found.length, 3)
})

test('scanAsync with an already aborted signal rejects with AbortError', async () => {
  const controller = new AbortController()
  controller.abort()
  await assert.rejects(engine.scanAsync('SSN 123-45-6789', controller.signal), (err) => {
    assert.equal(err.name, 'AbortError')
    assert.equal(err.code, 'ABORT_ERR')
    assert.ok(!err.message.includes('123-45'))
    return true
  })
})

test('scanAsync aborted right after the call rejects; a signal never aborted resolves', async () => {
  const controller = new AbortController()
  const pending = engine.scanAsync('SSN 123-45-6789 '.repeat(1000), controller.signal)
  controller.abort()
  await assert.rejects(pending, { name: 'AbortError' })
  const kept = new AbortController()
  assert.equal((await engine.scanAsync('SSN 123-45-6789', kept.signal)).length, 1)
})

test('maskFileAsync masks text off the main thread and reports counts', async (t) => {
  const dir = tmpdir(t)
  const src = bigFile(dir, 2)
  const dst = path.join(dir, 'out.log')
  let ticks = 0
  const timer = setInterval(() => ticks++, 1)
  const report = await engine.maskFileAsync(src, dst)
  clearInterval(timer)
  const lines = Math.ceil((2 * 1024 * 1024) / LINE.length)
  const perLine = engine.scan(LINE)
  assert.equal(report.format, 'text')
  assert.equal(report.bytes, fs.statSync(src).size)
  assert.equal(report.stats.total, lines * perLine.length)
  const byEntity = new Map(perLine.map((f) => [f.entity, 0]))
  for (const f of perLine) byEntity.set(f.entity, byEntity.get(f.entity) + lines)
  assert.deepEqual(report.stats.byEntity.map((e) => [e.entity, e.count]).sort(), [...byEntity].sort())
  const out = fs.readFileSync(dst, 'utf8')
  assert.ok(!out.includes('123-45-6789') && !out.includes('John Smith') && !out.includes('555-0123'))
  assert.equal(out, engine.mask(LINE).repeat(lines), 'same output as masking each line in memory')
  assert.ok(ticks > 0, 'the event loop kept running while the file was masked')
})

test('maskFileAsync masks CSV and NDJSON by column/key, and round trips with tokenize', async (t) => {
  const dir = tmpdir(t)
  const csv = path.join(dir, 'patients.csv')
  fs.writeFileSync(csv, 'patient_id,patient_name,ssn,notes\nP-1,Jane Roe,123-45-6789,call 617-555-0123\n')
  const out = path.join(dir, 'out.csv')
  const report = await engine.maskFileAsync(csv, out, { policy: 'tokenize', key })
  assert.equal(report.format, 'csv')
  assert.equal(report.records, 1)
  const masked = fs.readFileSync(out, 'utf8')
  const [, row] = masked.trim().split('\n')
  const cells = row.split(',')
  assert.notEqual(cells[1], 'Jane Roe')
  assert.equal(cells[3].slice(0, 5), 'call ')
  assert.notEqual(cells[3], 'call 617-555-0123')
  assert.equal(engine.masker({ policy: 'tokenize', key }).unmaskValue('SSN', cells[2], 'ssn'), '123-45-6789')

  const nd = path.join(dir, 'events.ndjson')
  fs.writeFileSync(nd, '{"ssn":"123-45-6789","msg":"pt John Smith"}\n{"mrn":"00123456"}\n')
  const ndOut = path.join(dir, 'events.out')
  const r2 = await engine.maskFileAsync(nd, ndOut, { format: 'ndjson' })
  assert.equal(r2.records, 2)
  assert.equal(fs.readFileSync(ndOut, 'utf8'), '{"ssn":"***-**-6789","msg":"pt **** *****"}\n{"mrn":"****3456"}\n')
})

test('maskFileAsync: a malformed record rejects naming the line, leaves dst as it was; skip masks it as text', async (t) => {
  const dir = tmpdir(t)
  const src = path.join(dir, 'bad.ndjson')
  fs.writeFileSync(src, '{"ok":1}\n{"ssn": "123-45-6789", oops\n')
  const dst = path.join(dir, 'out.ndjson')
  fs.writeFileSync(dst, 'previous content')
  await assert.rejects(engine.maskFileAsync(src, dst), (err) => {
    assert.equal(err.code, 'PHIMASK_INPUT')
    assert.match(err.message, /line 2/)
    assert.ok(!err.message.includes('123-45') && !err.message.includes('oops'), err.message)
    return true
  })
  assert.equal(fs.readFileSync(dst, 'utf8'), 'previous content')
  assert.deepEqual(fs.readdirSync(dir).sort(), ['bad.ndjson', 'out.ndjson'], 'no temporary file left')

  const report = await engine.maskFileAsync(src, dst, { onError: 'skip' })
  assert.equal(report.skipped, 1)
  assert.deepEqual(report.skippedLines, [2])
  assert.ok(!fs.readFileSync(dst, 'utf8').includes('123-45-6789'))
})

test('maskFileAsync refuses dst = src, rejects a missing src with PHIMASK_IO, a keyless tokenize with PHIMASK_KEY', async (t) => {
  const dir = tmpdir(t)
  const src = path.join(dir, 'a.log')
  fs.writeFileSync(src, LINE)
  await assert.rejects(engine.maskFileAsync(src, src), { code: 'PHIMASK_INPUT' })
  assert.equal(fs.readFileSync(src, 'utf8'), LINE)
  await assert.rejects(engine.maskFileAsync(path.join(dir, 'missing.log'), path.join(dir, 'o')), { code: 'PHIMASK_IO' })
  await assert.rejects(engine.maskFileAsync(src, path.join(dir, 'o'), { policy: 'tokenize' }), { code: 'PHIMASK_KEY' })
  await assert.rejects(engine.maskFileAsync(src, path.join(dir, 'o'), { format: 'xml' }), { code: 'PHIMASK_CONFIG' })
  assert.deepEqual(fs.readdirSync(dir), ['a.log'])
})

test('maskFileAsync aborted while running stops early and leaves no output', async (t) => {
  const dir = tmpdir(t)
  const src = bigFile(dir, 64)
  const dst = path.join(dir, 'out.log')
  const controller = new AbortController()
  const started = process.hrtime.bigint()
  const pending = engine.maskFileAsync(src, dst, { policy: 'mask' }, controller.signal)
  setTimeout(() => controller.abort(), 30)
  await assert.rejects(pending, (err) => {
    assert.equal(err.name, 'AbortError')
    assert.equal(err.code, 'ABORT_ERR')
    return true
  })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  assert.ok(!fs.existsSync(dst), 'dst not created')
  assert.deepEqual(fs.readdirSync(dir), ['big.log'], 'temporary file removed')
  // Masking 64 MiB takes seconds even in a release build; an abort stops it at the next read.
  assert.ok(ms < 2000, `abort took ${ms} ms`)
})

test('work queued behind a busy pool is cancelled by abort before it starts', async (t) => {
  const dir = tmpdir(t)
  const src = bigFile(dir, 32)
  const blockers = new AbortController()
  // Occupy the libuv pool (4 threads by default) so the next task waits in the queue.
  const busy = Array.from({ length: 4 }, (_, i) =>
    engine.maskFileAsync(src, path.join(dir, `o${i}`), undefined, blockers.signal).catch((e) => e))
  const queued = new AbortController()
  const pending = engine.scanAsync('SSN 123-45-6789', queued.signal)
  queued.abort()
  await assert.rejects(pending, { name: 'AbortError' })
  blockers.abort()
  // Each blocker was aborted mid-file (or, on a very fast machine, had finished).
  for (const r of await Promise.all(busy)) assert.ok(r.name === 'AbortError' || r.format === 'text', String(r))
})

test('maskFileAsync keeps UTF-16 text in its encoding and refuses binary input', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phimask-wide-'))
  try {
    const src = path.join(dir, 'note.txt')
    const utf16 = (text) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
    fs.writeFileSync(src, utf16('SSN 123-45-6789 naïve\r\n'))
    const dst = path.join(dir, 'out.txt')
    await engine.maskFileAsync(src, dst)
    assert.deepEqual(fs.readFileSync(dst), utf16('SSN ***-**-6789 naïve\r\n'))
    const blob = path.join(dir, 'blob.bin')
    fs.writeFileSync(blob, Buffer.from('SSN 123-45-6789\u0000\u0001', 'latin1'))
    await assert.rejects(engine.maskFileAsync(blob, path.join(dir, 'never.bin')), (err) => /binary/.test(err.message) && !err.message.includes('123-45'))
    assert.ok(!fs.existsSync(path.join(dir, 'never.bin')))
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

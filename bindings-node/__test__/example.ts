// A typed example compiled by types.test.js with `tsc --noEmit`: it must
// type-check against the generated index.d.ts and logging.d.ts.
import { Engine, Key, Masker, version } from '../index'
import type { EngineOptions, Finding, MaskFileReport, MaskOptions, MaskStats } from '../index'
import { createRedactor, pinoOptions, winstonFormat } from '../logging'

const options: EngineOptions = { entities: ['SSN', 'NAME'], minScore: 0.6, contextWindow: 64 }
const engine: Engine = new Engine(options)
const text = 'pt John Smith SSN 123-45-6789'
const findings: Finding[] = engine.scan(text)
const values: string[] = findings.map((f) => `${f.entity} (${f.safeHarbor}) ${f.detector} ${f.score} ${text.slice(f.start, f.end)} ${f.preview}`)
const batch: Finding[][] = engine.scanBatch([text, text])
const byField: Finding[] = engine.scanField('ssn', '536228726')

const key: Key = Key.generate()
const id: string = key.keyId
const maskOptions: MaskOptions = { policy: 'tokenize', key, field: 'note' }
const masked: string = engine.mask(text, maskOptions)
const maskedMany: string[] = engine.maskBatch([text, text], { policy: 'label' })
const plain: string = engine.unmask(masked, key, { field: 'note' })
const record = engine.maskRecord({ ssn: '123-45-6789', visits: [{ dob: '03/14/1962' }] }, { policy: 'mask' })
const back = engine.unmaskRecord(record, key)

const masker: Masker = engine.masker({ policy: 'label' })
const line: string = masker.mask(text)
const stats: MaskStats = masker.stats()
const total: number = stats.total + stats.byEntity.reduce((n, e) => n + e.count, 0)

async function run (signal: AbortSignal): Promise<void> {
  const found: Finding[] = await engine.scanAsync(text, signal)
  const report: MaskFileReport = await engine.maskFileAsync('in.csv', 'out.csv', { policy: 'mask', format: 'csv', onError: 'skip', subjectField: 'patient_id' }, signal)
  const n: number = report.records + report.skipped + report.stats.total + found.length
  void n
}

const pinoOpts = pinoOptions({ engine, mask: { policy: 'mask' } })
const winstonFmt = winstonFormat({ masker })
const redactor = createRedactor()
const safe: string = redactor.text('SSN 123-45-6789')

// Misuse must not type-check.
// @ts-expect-error: a number is not a string to scan
engine.scan(42)
// @ts-expect-error: unknown format
void engine.maskFileAsync('a', 'b', { format: 'xml' })

void [maskedMany, values, batch, byField, id, plain, back, line, total, run, pinoOpts, winstonFmt, safe, version()]

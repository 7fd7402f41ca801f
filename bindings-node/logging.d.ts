/* Types of `phimask/logging` (hand-written; the module is plain JavaScript). */
import type { Engine, Masker, MaskOptions } from './index'

/** What replaces a value that could not be masked (masking fails closed). */
export declare const FAILED: string

export interface RedactorOptions {
  /** The engine to detect with (default: the embedded detectors, built once). */
  engine?: Engine
  /** A masker to use as is (default: `engine.masker(mask)`). */
  masker?: Masker
  /** Masker options: policy and key (default: the `mask` preset). */
  mask?: MaskOptions
  /** Keys whose values are never masked (default: level, time, pid, hostname, v). */
  skipKeys?: string[]
  /** How deep nested objects are masked (default 8); deeper values are withheld. */
  maxDepth?: number
}

export interface Redactor {
  /** Masks a string (with `key` as context when given). Never throws. */
  text(s: string, key?: string): string
  /** Masks a value: strings, and the strings inside objects, arrays and errors (copied, never modified). Never throws. */
  value<T>(v: T, key?: string): T
  /** The masker doing the work (its `stats()` count what was masked). */
  masker: Masker
}

/** The shared core of the pino and winston integrations. */
export declare function createRedactor(options?: RedactorOptions): Redactor

/** Options to spread into `pino({...})`: masks message, merging object, errors and child bindings. */
export declare function pinoOptions(options?: RedactorOptions): {
  hooks: { logMethod(this: unknown, args: unknown[], method: (...args: unknown[]) => void, level: number): void }
  formatters: {
    log(object: Record<string, unknown>): Record<string, unknown>
    bindings(bindings: Record<string, unknown>): Record<string, unknown>
  }
}

/** A winston format masking each record; put it first in `format.combine(...)`. */
export declare function winstonFormat(options?: RedactorOptions): {
  options: RedactorOptions
  transform(info: Record<string | symbol, unknown>): Record<string | symbol, unknown>
}

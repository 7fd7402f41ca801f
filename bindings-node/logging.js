'use strict'
/**
 * Logger integration: mask every log record before it is written.
 *
 * - `createRedactor(options)`: the shared core, `{ text(s), value(v) }`.
 * - `pinoOptions(options)`: `{ hooks: { logMethod }, formatters: { log, bindings } }`
 *   to spread into `pino({...})`.
 * - `winstonFormat(options)`: a winston format (an object with `transform`),
 *   to put first in `winston.format.combine(...)`.
 *
 * The trade-off: records are masked structurally (the message, then every
 * string field, with its key as context: a field `ssn` makes a bare
 * 9-digit value an SSN) rather than as serialized JSON text, so JSON
 * escapes can never split or corrupt a value. Objects the application
 * passed in are copied, never modified. A hook never throws into the
 * application: if masking fails, the value is replaced by a fixed
 * placeholder (failing closed, so nothing unmasked slips out).
 */

const { Engine } = require('./index.js')

/** What replaces a value that could not be masked. */
const FAILED = '[phimask: value withheld, masking failed]'

const MAX_DEPTH = 8
const LEVEL = Symbol.for('level')
const MESSAGE = Symbol.for('message')
const SPLAT = Symbol.for('splat')

let defaultEngine
function sharedEngine () {
  if (defaultEngine === undefined) defaultEngine = new Engine()
  return defaultEngine
}

/**
 * @param {object} [options]
 * @param {import('./index').Engine} [options.engine] the engine (default: the embedded detectors, built once)
 * @param {import('./index').Masker} [options.masker] a masker to use (default: `engine.masker(options.mask)`)
 * @param {import('./index').MaskOptions} [options.mask] masker options (policy, key), default the `mask` preset
 * @param {string[]} [options.skipKeys] keys whose values are never masked (default: `level`, `time`, `pid`, `hostname`)
 * @param {number} [options.maxDepth] how deep nested objects are masked (default 8); deeper values are withheld
 */
function createRedactor (options = {}) {
  const masker = options.masker ?? (options.engine ?? sharedEngine()).masker(options.mask)
  const skip = new Set(options.skipKeys ?? ['level', 'time', 'pid', 'hostname', 'v'])
  const maxDepth = options.maxDepth ?? MAX_DEPTH
  // Objects this redactor made: already masked, never masked twice (a
  // second `tokenize` would encrypt a token).
  const made = new WeakSet()

  function text (s, key) {
    try {
      return key === undefined ? masker.mask(s) : masker.maskField(key, s)
    } catch {
      return FAILED
    }
  }

  function error (err, depth, seen) {
    const copy = Object.create(Object.getPrototypeOf(err))
    made.add(copy)
    for (const name of ['message', 'stack']) {
      if (typeof err[name] === 'string') {
        Object.defineProperty(copy, name, { value: text(err[name]), writable: true, configurable: true })
      }
    }
    for (const key of Object.keys(err)) {
      copy[key] = value(err[key], key, depth + 1, seen)
    }
    if (err.cause !== undefined && !Object.prototype.hasOwnProperty.call(copy, 'cause')) {
      copy.cause = value(err.cause, 'cause', depth + 1, seen)
    }
    return copy
  }

  function value (v, key, depth = 0, seen = new WeakSet()) {
    if (typeof v === 'string') return key !== undefined && skip.has(key) ? v : text(v, key)
    if (v === null || typeof v !== 'object' || made.has(v)) return v
    if (depth >= maxDepth) return FAILED
    if (seen.has(v)) return '[Circular]'
    seen.add(v)
    try {
      if (v instanceof Error) return error(v, depth, seen)
      if (Array.isArray(v)) {
        const out = v.map((item) => value(item, key, depth + 1, seen))
        made.add(out)
        return out
      }
      const proto = Object.getPrototypeOf(v)
      if (proto !== Object.prototype && proto !== null) {
        // Dates, Buffers, Maps, class instances: kept when they have a
        // JSON form of their own (`toJSON`), else masked as plain objects.
        if (typeof v.toJSON === 'function') return value(v.toJSON(), key, depth + 1, seen)
      }
      const out = {}
      for (const k of Object.keys(v)) out[k] = value(v[k], k, depth + 1, seen)
      made.add(out)
      return out
    } finally {
      seen.delete(v)
    }
  }

  function safeValue (v, key) {
    try {
      return value(v, key)
    } catch {
      return FAILED
    }
  }

  return { text, value: safeValue, masker }
}

/**
 * Options for `pino({...})`: the message and interpolation arguments are
 * masked in `hooks.logMethod`, the merging object (and any `err`) in
 * `formatters.log`, the base bindings in `formatters.bindings`, and the
 * bindings of `logger.child({...})` in `onChild` (pino serializes those
 * once, when the child is made, without calling any formatter).
 *
 * @example
 * const logger = pino({ ...pinoOptions(), level: 'info' })
 */
function pinoOptions (options = {}) {
  const redactor = createRedactor(options)
  return {
    hooks: {
      logMethod (args, method) {
        let masked
        try {
          masked = args.map((arg, i) => {
            // A leading plain object is the merging object: formatters.log masks it.
            if (i === 0 && arg !== null && typeof arg === 'object' && !(arg instanceof Error)) return arg
            return redactor.value(arg)
          })
        } catch {
          masked = [FAILED]
        }
        return method.apply(this, masked)
      },
    },
    formatters: {
      log (object) {
        const out = redactor.value(object)
        return out !== null && typeof out === 'object' ? out : { msg: FAILED }
      },
      bindings (bindings) {
        const out = redactor.value(bindings)
        return out !== null && typeof out === 'object' ? out : {}
      },
    },
    onChild (child) {
      maskChildBindings(child, redactor)
    },
  }
}

/** Re-writes the bindings a pino child added (a JSON fragment) masked. */
function maskChildBindings (child, redactor) {
  let sym
  try {
    sym = require('pino').symbols.chindingsSym
  } catch {
    return
  }
  const own = child[sym]
  if (typeof own !== 'string') return
  const inherited = Object.getPrototypeOf(child)[sym]
  const start = typeof inherited === 'string' && own.startsWith(inherited) ? inherited.length : 0
  const added = own.slice(start)
  if (added === '') return
  let fragment
  try {
    const masked = JSON.stringify(redactor.value(JSON.parse('{' + added.replace(/^,/, '') + '}')))
    fragment = masked === '{}' ? '' : ',' + masked.slice(1, -1)
  } catch {
    fragment = ',"phimask":' + JSON.stringify(FAILED)
  }
  child[sym] = own.slice(0, start) + fragment
}

/**
 * A winston format masking `info.message`, every other string field, the
 * `splat` arguments and, if a formatter before it already rendered the
 * line, `info[Symbol.for('message')]`. Put it first:
 *
 * @example
 * winston.createLogger({ format: winston.format.combine(winstonFormat(), winston.format.json()), ... })
 */
function winstonFormat (options = {}) {
  const redactor = createRedactor(options)
  return {
    options,
    transform (info) {
      try {
        // An Error logged directly is the info object itself, with its
        // message and stack as non-enumerable own properties.
        const keys = new Set(Object.keys(info))
        for (const key of ['message', 'stack']) {
          if (typeof info[key] === 'string') keys.add(key)
        }
        for (const key of keys) {
          if (key === 'level') continue
          const plain = key === 'message' || key === 'stack'
          info[key] = plain ? redactor.value(info[key]) : redactor.value(info[key], key)
        }
        if (Array.isArray(info[SPLAT])) info[SPLAT] = info[SPLAT].map((arg) => redactor.value(arg))
        if (typeof info[MESSAGE] === 'string') info[MESSAGE] = redactor.text(info[MESSAGE])
        return info
      } catch {
        return { level: info.level, message: FAILED, [LEVEL]: info[LEVEL] }
      }
    },
  }
}

module.exports = { createRedactor, pinoOptions, winstonFormat, FAILED }

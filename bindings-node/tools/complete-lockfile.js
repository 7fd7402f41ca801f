'use strict'
// Adds the platform packages of native npm dependencies (the napi CLI's
// @napi-rs/lzma, @napi-rs/tar, @napi-rs/wasm-tools) that a package-lock
// written on a registry mirror without them leaves out. `npm ci` refuses a
// lockfile missing any optional dependency, even one for another platform;
// with each entry's os/cpu/libc recorded, npm skips it everywhere it does
// not apply. Run after `npm install` changes the lockfile:
//   node tools/complete-lockfile.js
const fs = require('node:fs')
const path = require('node:path')

const file = path.join(__dirname, '..', 'package-lock.json')
const lock = JSON.parse(fs.readFileSync(file, 'utf8'))
const packages = lock.packages

// npm's platform names from a napi-rs package suffix.
function platform (suffix) {
  const [os, arch, abi] = suffix.split('-')
  const entry = { cpu: [arch === 'ia32' ? 'ia32' : arch], os: [os === 'wasm32' ? undefined : os] }
  if (os === 'wasm32') return { cpu: ['wasm32'] }
  if (abi === 'gnu') entry.libc = ['glibc']
  if (abi === 'musl') entry.libc = ['musl']
  return entry
}

let added = 0
for (const [where, meta] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`
    if (packages[key] !== undefined) continue
    const parent = where.replace(/^node_modules\//, '')
    if (!name.startsWith(parent + '-')) continue
    packages[key] = { version, dev: meta.dev, ...platform(name.slice(parent.length + 1)), license: meta.license, optional: true }
    if (meta.engines) packages[key].engines = meta.engines
    added++
  }
}
// npm's own order, so a later `npm install` leaves the file as it is.
const sorted = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => a.localeCompare(b, 'en')))
lock.packages = sorted
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n')
console.log(`complete-lockfile: added ${added} platform entries`)

/**
 * Gives a package's ESM build a `require()` door for CommonJS hosts on Node ≥ 20.19, where
 * `require()` loads ES modules: each entry gets a one-line `.cjs` that requires its `.js`, and
 * every declaration file a `.d.cts` twin (relative imports pointed at the twins), so TypeScript
 * types a `require` as CommonJS and `attw` resolves every mode.
 *
 * Not a second build: `require` and `import` reach the same module instance, so a host that mixes
 * them gets one `ApiError` class and one React context, never two copies.
 *
 * Used as tsdown's `onSuccess`, after the declarations are written.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/** Every file under `dir`, relative to it. */
function walk(dir, prefix = '') {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? walk(dir, path.join(prefix, entry.name))
      : [path.join(prefix, entry.name)],
  )
}

/** `'./x.js'` → `'./x.cjs'` in `import`/`export … from` and `import()` specifiers. */
const toCjsSpecifiers = (source) =>
  source.replace(
    /(["'])(\.{1,2}\/[^"']+)\.js\1/g,
    (_match, quote, stem) => `${quote}${stem}.cjs${quote}`,
  )

/**
 * @param {string[]} entries output names of the entries, e.g. `['index', 'node/index']`
 * @returns {(config: { outDir: string }) => void}
 */
export function requireEntries(entries) {
  return ({ outDir }) => {
    for (const entry of entries) {
      const base = path.basename(entry)
      writeFileSync(
        path.join(outDir, `${entry}.cjs`),
        `'use strict'\n// Node >= 20.19 requires ES modules: this is the same module as ${base}.js.\nmodule.exports = require('./${base}.js')\n`,
      )
    }
    for (const file of walk(outDir).filter((name) => name.endsWith('.d.ts'))) {
      const source = readFileSync(path.join(outDir, file), 'utf8')
      writeFileSync(path.join(outDir, file.replace(/\.d\.ts$/, '.d.cts')), toCjsSpecifiers(source))
    }
  }
}

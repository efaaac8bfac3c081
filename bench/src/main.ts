/**
 * `pnpm bench [--quick] [--only <section,…>]`: runs every measurement (or the named ones), prints the tables on stdout and writes the
 * figures to `bench/results.json` and the tables to `bench/results.md` (the "Latest run" of
 * `bench/README.md` is pasted from there). `--quick` uses tiny durations to check the bench
 * still runs, and writes to the system's temporary folder, so a quick run never replaces the
 * published figures.
 *
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { format, resolveConfig } from 'prettier'
import { benchRoot } from './paths'
import { isMissing, runBench, sectionNames } from './run'
import { renderTables } from './table'

const quick = process.argv.includes('--quick')
// `--only burst,upstream`: just those sections, for measuring one change without the rest.
const onlyArgument = process.argv[process.argv.indexOf('--only') + 1]
const only = process.argv.includes('--only')
  ? new Set(
      (onlyArgument ?? '').split(',').map((key) => {
        const known = sectionNames.find((name) => name === key)
        if (!known) throw new Error(`--only takes ${sectionNames.join(', ')}; got "${key}"`)
        return known
      }),
    )
  : undefined
const results = await runBench({ quick, only })
// A partial run never replaces the published figures either.
const dir = quick || only ? path.join(tmpdir(), 'shareflow-bench') : benchRoot
const name = quick ? 'results.quick' : only ? 'results.only' : 'results'
const markdown = path.join(dir, `${name}.md`)
// Formatted as the repository's prettier would, so `bench/README.md` can take the tables as they are.
const tables = await format(renderTables(results), {
  ...(await resolveConfig(markdown)),
  filepath: markdown,
})
await mkdir(dir, { recursive: true })
await writeFile(path.join(dir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`)
await writeFile(markdown, tables)
console.log(tables.trimEnd())
console.error(`Wrote ${path.join(dir, `${name}.json`)}`)

const missing = sectionNames.filter((key) => (!only || only.has(key)) && isMissing(results[key]))
if (missing.length > 0) {
  console.error(`Missing sections: ${missing.join(', ')}`)
  process.exitCode = 1
}
// Chromium, sockets and timers are all closed by now; leave no straggler to hold the exit.
process.exit()

/**
 * `pnpm bench [--quick]`: runs every measurement, prints the tables on stdout and writes the
 * figures to `bench/results.json` and the tables to `bench/results.md` (the README's
 * "Performance" section is pasted from there). `--quick` uses tiny durations to check the bench
 * still runs, and writes under `bench/.tmp/` so a quick run never replaces the published figures.
 *
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { benchRoot } from './paths'
import { isMissing, runBench } from './run'
import { renderTables } from './table'

const quick = process.argv.includes('--quick')
const results = await runBench({ quick })
const tables = renderTables(results)
const dir = quick ? path.join(benchRoot, '.tmp') : benchRoot
const name = quick ? 'results.quick' : 'results'
await mkdir(dir, { recursive: true })
await writeFile(path.join(dir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`)
await writeFile(path.join(dir, `${name}.md`), `${tables}\n`)
console.log(tables)
console.error(`Wrote ${path.relative(process.cwd(), path.join(dir, `${name}.json`))}`)

const missing = (['size', 'roundTrips', 'upstream', 'overhead', 'burst', 'demo'] as const).filter(
  (key) => isMissing(results[key]),
)
if (missing.length > 0) {
  console.error(`Missing sections: ${missing.join(', ')}`)
  process.exitCode = 1
}
// Chromium, sockets and timers are all closed by now; leave no straggler to hold the exit.
process.exit()

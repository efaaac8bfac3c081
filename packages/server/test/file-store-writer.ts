/**
 * A process that writes to a file store as fast as it can and prints each acknowledged write, so
 * `file-store.test.ts` can SIGKILL it at a random moment and check that every write it saw
 * acknowledged survived.
 *
 * Usage: node --import tsx test/file-store-writer.ts <directory> <run> <compactAtBytes>
 * Prints `set <n>` once `ack:<run>:<n>` is durable, `inc <count>` once the counter is, and
 * `churn 100` after each hundred overwrites.
 */
import { createFileStore } from '../src/node/file-store'

const [directory, run, compactAtBytes] = process.argv.slice(2)
if (!directory || !run || !compactAtBytes) {
  throw new Error('usage: file-store-writer.ts <directory> <run> <compactAtBytes>')
}

const store = await createFileStore({ directory, compactAtBytes: Number(compactAtBytes) })
process.stdout.write('ready\n')

let next = 0
const writeForever = async () => {
  for (;;) {
    const n = next++
    // Values of varied length, so a torn write can cut a line anywhere.
    await store.set(`ack:${run}:${n}`, `${n}:${'✓'.repeat(n % 300)}`)
    process.stdout.write(`set ${n}\n`)
  }
}
const countForever = async () => {
  for (;;) {
    const count = await store.increment('count', 3_600_000)
    process.stdout.write(`inc ${count}\n`)
  }
}
// Overwrites make the journal worth compacting (they outnumber new keys more than two to one), so
// kills also land mid-compaction. Every 100th is reported, so the test can see compaction happen.
const churnForever = async (lane: number) => {
  for (let i = 1; ; i++) {
    await store.set(`churn:${lane}`, 'x'.repeat(i % 500))
    if (i % 100 === 0) process.stdout.write('churn 100\n')
  }
}

await Promise.all([
  writeForever(),
  writeForever(),
  countForever(),
  churnForever(1),
  churnForever(2),
  churnForever(3),
])

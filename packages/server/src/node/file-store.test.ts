import { spawn } from 'node:child_process'
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { createManualClock } from '../emulator/world'
import { describeStoreConformance } from '../store/conformance'
import { createFileStore } from './file-store'

const directories: string[] = []
const freshDirectory = async () => {
  const directory = await mkdtemp(path.join(tmpdir(), 'shareflow-file-store-'))
  directories.push(directory)
  return directory
}

afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })))
})

const clock = createManualClock()

describeStoreConformance('file store', {
  async open() {
    const directory = await freshDirectory()
    let store = await createFileStore({ directory, clock })
    return {
      store,
      async reopen() {
        await store.close()
        store = await createFileStore({ directory, clock })
        return store
      },
    }
  },
  elapse: async (ms) => clock.advance(ms),
  shared: false,
  durable: true,
})

describe('file store', () => {
  it('refuses a second open of the same directory in this process', async () => {
    const directory = await freshDirectory()
    const store = await createFileStore({ directory })
    await expect(createFileStore({ directory })).rejects.toThrow(/already open in this process/)
    await store.close()
    const again = await createFileStore({ directory })
    await again.close()
  })

  it('refuses a directory that a running process holds', async () => {
    const directory = await freshDirectory()
    // The test runner's parent process is alive for the whole test.
    await writeFile(path.join(directory, 'store.lock'), JSON.stringify({ pid: process.ppid }))
    await expect(createFileStore({ directory })).rejects.toThrow(
      new RegExp(`in use by process ${process.ppid}`),
    )
  })

  it('takes over the lock of a process that died without closing', async () => {
    const directory = await freshDirectory()
    const exited = spawn(process.execPath, ['-e', ''])
    await new Promise((resolve) => exited.once('exit', resolve))
    await writeFile(path.join(directory, 'store.lock'), JSON.stringify({ pid: exited.pid }))
    const store = await createFileStore({ directory })
    await store.set('k', 'v')
    await store.close()
  })

  it('drops a torn last line that was never acknowledged, and appends cleanly after it', async () => {
    const directory = await freshDirectory()
    const store = await createFileStore({ directory })
    await store.set('payout:1', 'pending')
    await store.close()
    await appendFile(path.join(directory, 'journal.jsonl'), '{"k":"payout:2","v":"pend')

    const reopened = await createFileStore({ directory })
    expect(await reopened.get('payout:1')).toBe('pending')
    expect(await reopened.get('payout:2')).toBeNull()
    await reopened.set('payout:3', 'accepted')
    await reopened.close()

    const again = await createFileStore({ directory })
    expect(await again.keys('payout:')).toEqual(['payout:1', 'payout:3'])
    await again.close()
  })

  it('refuses to open a journal damaged before its end', async () => {
    const directory = await freshDirectory()
    const store = await createFileStore({ directory })
    await store.set('payout:1', 'pending')
    await store.close()
    const journal = path.join(directory, 'journal.jsonl')
    await appendFile(journal, 'garbage\n{"k":"payout:2","v":"accepted"}\n')
    await expect(createFileStore({ directory })).rejects.toThrow(/damaged/)
    // The failed open let go of the directory.
    await writeFile(journal, (await readFile(journal, 'utf8')).replace('garbage\n', ''))
    const repaired = await createFileStore({ directory })
    expect(await repaired.get('payout:2')).toBe('accepted')
    await repaired.close()
  })

  it('refuses a journal file that is not its own', async () => {
    const directory = await freshDirectory()
    await writeFile(path.join(directory, 'journal.jsonl'), 'someone else’s notes\n')
    await expect(createFileStore({ directory })).rejects.toThrow(/not a Shareflow store journal/)
    await writeFile(path.join(directory, 'journal.jsonl'), 'no newline at all')
    await expect(createFileStore({ directory })).rejects.toThrow(/not a Shareflow store journal/)
  })

  it('compacts the journal when overwrites pile up, keeping live values and ttls', async () => {
    const directory = await freshDirectory()
    const journal = path.join(directory, 'journal.jsonl')
    const compactingClock = createManualClock()
    const store = await createFileStore({ directory, clock: compactingClock, compactAtBytes: 4096 })
    for (let i = 0; i < 50; i++) await store.set(`keep:${i}`, `value ${i}`)
    await store.set('session', 'abc', { ttlMs: 60_000 })
    await store.set('short', 'gone soon', { ttlMs: 1000 })
    compactingClock.advance(2000)
    for (let i = 0; i < 2000; i++) await store.set('churn', `overwrite ${i}`)
    await store.delete('keep:0')
    expect((await stat(journal)).size).toBeLessThan(8192)
    await store.close()

    const reopened = await createFileStore({ directory, clock: compactingClock })
    expect(await reopened.keys('keep:')).toHaveLength(49)
    expect(await reopened.get('keep:49')).toBe('value 49')
    expect(await reopened.get('churn')).toBe('overwrite 1999')
    expect(await reopened.get('short')).toBeNull()
    compactingClock.advance(57_000)
    expect(await reopened.get('session')).toBe('abc')
    compactingClock.advance(2000)
    expect(await reopened.get('session')).toBeNull()
    await reopened.close()
  })

  it('keeps every acknowledged write when its process is SIGKILLed mid-writes', async () => {
    const directory = await freshDirectory()
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
    const writer = fileURLToPath(new URL('../../test/file-store-writer.ts', import.meta.url))
    const rounds = 5
    let acknowledged = 0
    let overwrites = 0

    for (let run = 0; run < rounds; run++) {
      const child = spawn(
        process.execPath,
        ['--import', tsx, writer, directory, `${run}`, '65536'],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      )
      const killAfter = 50 + Math.floor(Math.random() * 1500)
      const sets: number[] = []
      let highestCount = 0
      let errors = ''
      let buffered = ''
      let lockedOut: Promise<string> | undefined
      // The first writer is only killed once the attempt to open beside it has had its answer.
      let lockChecked = run !== 0
      child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()))
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString()
        const lines = buffered.split('\n')
        buffered = lines.pop()!
        for (const line of lines) {
          const [kind, value] = line.split(' ')
          if (kind === 'ready' && run === 0) {
            // While the writer runs, nobody else may open its directory.
            lockedOut = createFileStore({ directory }).then(
              async (intruder) => {
                await intruder.close()
                return 'opened'
              },
              (error: Error) => error.message,
            )
            void lockedOut.finally(() => (lockChecked = true))
          }
          if (kind === 'set') sets.push(Number(value))
          if (kind === 'inc') highestCount = Math.max(highestCount, Number(value))
          if (kind === 'churn') overwrites += Number(value)
        }
        if (sets.length >= killAfter && lockChecked) child.kill('SIGKILL')
      })
      const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
        child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
      )
      expect(errors).toBe('')
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGKILL' })
      if (run === 0) expect(await lockedOut).toMatch(`in use by process ${child.pid}`)

      const store = await createFileStore({ directory })
      const missing: number[] = []
      for (const n of sets) {
        const value = await store.get(`ack:${run}:${n}`)
        if (value !== `${n}:${'✓'.repeat(n % 300)}`) missing.push(n)
      }
      expect(missing).toEqual([])
      expect(Number(await store.get('count'))).toBeGreaterThanOrEqual(highestCount)
      await store.close()
      acknowledged += sets.length
    }
    expect(acknowledged).toBeGreaterThanOrEqual(rounds * 50)
    // Fewer overwrite lines in the journal than overwrites acknowledged: compaction ran meanwhile.
    const journal = await readFile(path.join(directory, 'journal.jsonl'), 'utf8')
    expect(journal.split('\n').filter((line) => line.includes('"churn:')).length).toBeLessThan(
      overwrites,
    )
  })
})

import { randomUUID } from 'node:crypto'
import {
  link,
  mkdir,
  open,
  readFile,
  realpath,
  rename,
  truncate,
  unlink,
  type FileHandle,
} from 'node:fs/promises'
import path from 'node:path'
import { createLocalPubSub } from '../store/local-pubsub'
import { createTable, type StoreClock, type TableEntry } from '../store/table'
import type { ShareflowStore } from '../store/types'

export interface FileStoreOptions {
  /** The store's own directory (created if missing); one process at a time may open it. */
  directory: string
  /** Where expiry reads the time; tests pass a clock they can move. Defaults to `Date.now`. */
  clock?: StoreClock
  /**
   * Rewrite the journal as a snapshot once it is this large and holds more than twice as many
   * lines as live keys. Default 16 MiB.
   */
  compactAtBytes?: number
}

const journalName = 'journal.jsonl'
const lockName = 'store.lock'
const header = JSON.stringify({ shareflow: 'store-journal', version: 1 })

// Journal lines: {"k":key,"v":value,"x":expiresAt?} for a write, {"k":key,"d":1} for a delete.
type JournalLine = { k: string; v: string; x?: number } | { k: string; d: 1 }

// Two stores in one process on one directory would each replay and append on their own: the lock
// file can't tell them apart (same pid), so this set does.
const openDirectories = new Set<string>()

/**
 * The embedded default: one BFF instance keeps its journal on local disk, with no server to run.
 *
 * Guarantees:
 * - A write resolves only after its journal line is on disk (`fdatasync`), so anything a caller
 *   saw succeed survives a crash, a SIGKILL or a power cut. Reads wait for writes before them to
 *   be on disk too, so nobody acts on a value a crash could take back.
 * - Concurrent writes are group-committed: one `fdatasync` covers every write made meanwhile.
 * - Each operation is atomic within the process. Only one process may open a directory (a lock
 *   file names its pid; a lock left by a dead process is taken over).
 * - TTLs are stored as absolute times, so they keep running while the process is down.
 * - A torn last line (a crash mid-write, never acknowledged) is dropped on open; damage anywhere
 *   else refuses to open rather than guess.
 * - Pub/sub is in-process only. For several instances, use the Redis store.
 *
 * All data is also held in memory; the journal is replayed on open and rewritten as a compact
 * snapshot when overwrites and deletions pile up. Node only.
 *
 * @example
 * const store = await createFileStore({ directory: '.shareflow/store' })
 */
export async function createFileStore({
  directory,
  clock = { now: () => Date.now() },
  compactAtBytes = 16 * 1024 * 1024,
}: FileStoreOptions): Promise<ShareflowStore> {
  await mkdir(directory, { recursive: true })
  const home = await realpath(directory)
  if (openDirectories.has(home)) {
    throw new Error(`The file store at ${home} is already open in this process`)
  }
  openDirectories.add(home)
  let lock: string
  try {
    lock = await acquireLock(home)
  } catch (error) {
    openDirectories.delete(home)
    throw error
  }

  const journalPath = path.join(home, journalName)
  const pending: string[] = []
  let journal: FileHandle
  let journalBytes: number
  let journalLines: number
  const table = createTable({
    clock,
    onChange(key, entry) {
      pending.push(journalLine(key, entry))
      scheduleCommit()
    },
  })
  try {
    ;({ journalBytes, journalLines } = await replay(journalPath, table))
    journal = await open(journalPath, 'a')
    // Makes a torn tail's truncation durable before anything is appended after it.
    await journal.datasync()
  } catch (error) {
    await releaseLock(home, lock)
    openDirectories.delete(home)
    throw error
  }

  const pubsub = createLocalPubSub()
  let committed: Promise<void> = Promise.resolve()
  let commitQueued = false
  let failure: Error | null = null
  let closing: Promise<void> | null = null

  // `committed` settles once every line pending now is on disk; a commit already writing takes
  // what was pending when it started, and the lines after it wait for the next one.
  function scheduleCommit() {
    if (commitQueued) return
    commitQueued = true
    committed = committed.then(async () => {
      commitQueued = false
      const lines = pending.splice(0)
      try {
        if (journalBytes >= compactAtBytes && journalLines > 2 * table.size) {
          // The snapshot already holds the effect of `lines`, so they need no separate write.
          await compact(table.entries())
        } else {
          await append(lines)
        }
      } catch (cause) {
        // Memory is now ahead of the disk: refuse everything rather than serve undurable state.
        failure ??= new Error(`The file store at ${home} could not write its journal`, { cause })
        throw failure
      }
    })
  }

  async function append(lines: string[]) {
    if (lines.length === 0) return
    const bytes = await writeLines(journal, lines)
    await journal.datasync()
    journalBytes += bytes
    journalLines += lines.length
  }

  async function compact(entries: Array<[string, TableEntry]>) {
    const nextPath = `${journalPath}.compacting`
    const next = await open(nextPath, 'w')
    let bytes = 0
    try {
      const lines = [header]
      for (const [key, entry] of entries) {
        lines.push(journalLine(key, entry))
        if (lines.length >= 1024) bytes += await writeLines(next, lines.splice(0))
      }
      bytes += await writeLines(next, lines)
      await next.datasync()
    } finally {
      await next.close()
    }
    await rename(nextPath, journalPath)
    await syncDirectory(home)
    await journal.close()
    journal = await open(journalPath, 'a')
    journalBytes = bytes
    journalLines = entries.length
  }

  const run = async <T>(operation: () => T): Promise<T> => {
    if (closing) throw new Error(`The file store at ${home} is closed`)
    if (failure) throw failure
    const result = operation()
    await committed
    return result
  }

  return {
    get: (key) => run(() => table.get(key)),
    set: (key, value, options) => run(() => table.set(key, value, options?.ttlMs)),
    setIfAbsent: (key, value, options) => run(() => table.setIfAbsent(key, value, options?.ttlMs)),
    compareAndSet: (key, expected, value, options) =>
      run(() => table.compareAndSet(key, expected, value, options?.ttlMs)),
    compareAndDelete: (key, expected) => run(() => table.compareAndDelete(key, expected)),
    delete: (key) => run(() => table.delete(key)),
    keys: (prefix) => run(() => table.keys(prefix)),
    increment: (key, ttlMs) => run(() => table.increment(key, ttlMs)),
    publish: (channel, message) => run(() => pubsub.publish(channel, message)),
    async subscribe(channel, listener) {
      const unsubscribe = await run(() => pubsub.subscribe(channel, listener))
      return async () => unsubscribe()
    },
    close() {
      closing ??= (async () => {
        pubsub.clear()
        // A failed commit was already reported to the writes it covered.
        await committed.catch(() => {})
        await journal.close()
        await releaseLock(home, lock)
        openDirectories.delete(home)
      })()
      return closing
    },
  }
}

function journalLine(key: string, entry: TableEntry | null): string {
  const line: JournalLine =
    entry === null
      ? { k: key, d: 1 }
      : entry.expiresAt === null
        ? { k: key, v: entry.value }
        : { k: key, v: entry.value, x: entry.expiresAt }
  return JSON.stringify(line)
}

async function writeLines(file: FileHandle, lines: string[]): Promise<number> {
  if (lines.length === 0) return 0
  const text = lines.join('\n') + '\n'
  // `write` may write only part of a large buffer; `writeFile` on a handle loops until all is out.
  await file.writeFile(text)
  return Buffer.byteLength(text)
}

/**
 * Loads the journal into `table`. Lines after the last valid one are a write the crash cut short,
 * never acknowledged, so they are cut off; an invalid line followed by valid ones is damage.
 */
async function replay(
  journalPath: string,
  table: ReturnType<typeof createTable>,
): Promise<{ journalBytes: number; journalLines: number }> {
  // A compaction the crash interrupted before its rename left the old journal whole.
  await unlink(`${journalPath}.compacting`).catch(ignoreMissing)
  const bytes = await readFile(journalPath).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null
    throw error
  })

  if (bytes === null || bytes.indexOf(0x0a) === -1) {
    // Nothing yet, or a crash while writing the header: start anew, unless it is someone else's file.
    if (
      bytes !== null &&
      !Buffer.from(header + '\n')
        .subarray(0, bytes.length)
        .equals(bytes)
    ) {
      throw new Error(`${journalPath} is not a Shareflow store journal`)
    }
    const file = await open(journalPath, 'w')
    try {
      await file.write(header + '\n')
      await file.datasync()
    } finally {
      await file.close()
    }
    await syncDirectory(path.dirname(journalPath))
    return { journalBytes: Buffer.byteLength(header) + 1, journalLines: 0 }
  }
  const headerEnd = bytes.indexOf(0x0a)
  if (bytes.toString('utf8', 0, headerEnd) !== header) {
    throw new Error(`${journalPath} is not a Shareflow store journal`)
  }

  const lines: JournalLine[] = []
  let validBytes = headerEnd + 1
  let invalidAt: number | null = null
  for (let start = validBytes; start < bytes.length;) {
    const newline = bytes.indexOf(0x0a, start)
    const parsed = newline === -1 ? undefined : parseLine(bytes.toString('utf8', start, newline))
    if (parsed === undefined) {
      invalidAt ??= start
    } else {
      if (invalidAt !== null) {
        throw new Error(`${journalPath} is damaged at byte ${invalidAt}; refusing to guess`)
      }
      lines.push(parsed)
      validBytes = newline + 1
    }
    start = newline === -1 ? bytes.length : newline + 1
  }

  for (const line of lines) {
    table.restore(line.k, 'd' in line ? null : { value: line.v, expiresAt: line.x ?? null })
  }
  if (validBytes < bytes.length) await truncate(journalPath, validBytes)
  return { journalBytes: validBytes, journalLines: lines.length }
}

function parseLine(text: string): JournalLine | undefined {
  try {
    const line: unknown = JSON.parse(text)
    if (typeof line !== 'object' || line === null || !('k' in line)) return undefined
    const { k, v, x, d } = line as Record<string, unknown>
    if (typeof k !== 'string') return undefined
    if (d === 1) return { k, d }
    if (typeof v !== 'string') return undefined
    if (x === undefined) return { k, v }
    return typeof x === 'number' ? { k, v, x } : undefined
  } catch {
    return undefined
  }
}

/**
 * Takes the directory's lock file, which names the holding process. The file is written under a
 * private name and then hard-linked into place, so a reader never sees it half-written.
 */
async function acquireLock(home: string): Promise<string> {
  const lockPath = path.join(home, lockName)
  const content = JSON.stringify({ pid: process.pid, token: randomUUID() })
  const draft = `${lockPath}.${randomUUID()}`
  const draftFile = await open(draft, 'wx')
  try {
    await draftFile.write(content)
  } finally {
    await draftFile.close()
  }
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await link(draft, lockPath)
        return content
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      }
      const holder = await readFile(lockPath, 'utf8').catch(() => null)
      const pid = holder === null ? null : lockHolder(holder)
      // Our own pid in the file means a previous life of this process (a container restarts with
      // the same pid); `openDirectories` already ruled out this one.
      if (pid !== null && pid !== process.pid && isRunning(pid)) {
        throw new Error(
          `The file store at ${home} is in use by process ${pid}; one process at a time may open it`,
        )
      }
      // Stale: its holder died without closing. Remove it only if it is still the one we read.
      if ((await readFile(lockPath, 'utf8').catch(() => null)) === holder) {
        await unlink(lockPath).catch(ignoreMissing)
      }
    }
    throw new Error(`Could not take the lock of the file store at ${home}`)
  } finally {
    await unlink(draft).catch(ignoreMissing)
  }
}

async function releaseLock(home: string, content: string) {
  const lockPath = path.join(home, lockName)
  if ((await readFile(lockPath, 'utf8').catch(() => null)) === content) {
    await unlink(lockPath).catch(ignoreMissing)
  }
}

function lockHolder(content: string): number | null {
  try {
    const { pid } = JSON.parse(content) as { pid?: unknown }
    return Number.isSafeInteger(pid) ? (pid as number) : null
  } catch {
    return null
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to another user, so it is running.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** A rename or a new file is durable only once its directory entry is: fsync the directory. */
async function syncDirectory(directory: string) {
  const handle = await open(directory, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

function ignoreMissing(error: NodeJS.ErrnoException) {
  if (error.code !== 'ENOENT') throw error
}

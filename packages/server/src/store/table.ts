/**
 * The in-process key/value table behind the memory store and the file store: string values with
 * an optional absolute expiry, and the store's atomic operations as synchronous functions. Being
 * synchronous is what makes them atomic: JavaScript runs one of them to the end before any other.
 *
 * Web Standards only.
 */

/** Milliseconds since the epoch; tests pass a clock they can move. */
export interface StoreClock {
  now(): number
}

/** What the table holds under a key: the value and when it stops existing (`null` = never). */
export interface TableEntry {
  value: string
  expiresAt: number | null
}

export interface Table {
  get(key: string): string | null
  set(key: string, value: string, ttlMs: number | undefined): void
  setIfAbsent(key: string, value: string, ttlMs: number | undefined): boolean
  compareAndSet(
    key: string,
    expected: string | null,
    value: string,
    ttlMs: number | undefined,
  ): boolean
  compareAndDelete(key: string, expected: string): boolean
  delete(key: string): void
  keys(prefix: string): string[]
  increment(key: string, ttlMs: number): number
  /** Loads an entry as it was recorded (journal replay); an already expired one is dropped. */
  restore(key: string, entry: TableEntry | null): void
  /** Every live entry, for writing a snapshot. */
  entries(): Array<[string, TableEntry]>
  readonly size: number
}

export interface TableOptions {
  clock: StoreClock
  /** Called for every change, in order, before the operation returns (the file store journals here). */
  onChange?: (key: string, entry: TableEntry | null) => void
}

// Expired entries are also removed a few at a time on each write, the way Redis samples keys for
// active expiry, so a table full of expired claims does not grow without bound.
const sweptPerWrite = 4

export function createTable({ clock, onChange }: TableOptions): Table {
  const map = new Map<string, TableEntry>()
  let sweep: Iterator<[string, TableEntry]> = map.entries()

  const isLive = (entry: TableEntry, now: number) =>
    entry.expiresAt === null || entry.expiresAt > now

  const live = (key: string): TableEntry | undefined => {
    const entry = map.get(key)
    if (entry === undefined) return undefined
    if (isLive(entry, clock.now())) return entry
    map.delete(key)
    return undefined
  }

  const sweepSome = () => {
    const now = clock.now()
    for (let i = 0; i < sweptPerWrite; i++) {
      const step = sweep.next()
      if (step.done) {
        sweep = map.entries()
        return
      }
      const [key, entry] = step.value
      if (!isLive(entry, now)) map.delete(key)
    }
  }

  const write = (key: string, value: string, ttlMs: number | undefined) => {
    const entry = { value, expiresAt: ttlMs === undefined ? null : clock.now() + checkTtl(ttlMs) }
    map.set(key, entry)
    onChange?.(key, entry)
    sweepSome()
  }

  const remove = (key: string) => {
    if (!map.delete(key)) return
    onChange?.(key, null)
  }

  return {
    get: (key) => live(key)?.value ?? null,
    set: write,
    setIfAbsent(key, value, ttlMs) {
      if (live(key) !== undefined) return false
      write(key, value, ttlMs)
      return true
    },
    compareAndSet(key, expected, value, ttlMs) {
      if ((live(key)?.value ?? null) !== expected) return false
      write(key, value, ttlMs)
      return true
    },
    compareAndDelete(key, expected) {
      if (live(key)?.value !== expected) return false
      remove(key)
      return true
    },
    delete(key) {
      // An expired entry is already gone for readers; forgetting it needs no journal line.
      if (live(key) !== undefined) remove(key)
    },
    keys(prefix) {
      const now = clock.now()
      const found: string[] = []
      for (const [key, entry] of map) {
        if (!isLive(entry, now)) map.delete(key)
        else if (key.startsWith(prefix)) found.push(key)
      }
      return found.sort()
    },
    increment(key, ttlMs) {
      checkTtl(ttlMs)
      const entry = live(key)
      if (entry === undefined) {
        write(key, '1', ttlMs)
        return 1
      }
      const count = parseCounter(entry.value) + 1
      const next = { value: String(count), expiresAt: entry.expiresAt }
      map.set(key, next)
      onChange?.(key, next)
      return count
    },
    restore(key, entry) {
      if (entry === null || !isLive(entry, clock.now())) map.delete(key)
      else map.set(key, entry)
    },
    entries() {
      const now = clock.now()
      return [...map].filter(([, entry]) => isLive(entry, now))
    },
    get size() {
      return map.size
    },
  }
}

/** Rejects a TTL Redis would reject (`PX` takes a positive integer), so every store agrees. */
export function checkTtl(ttlMs: number): number {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new RangeError(
      `A store TTL must be a positive whole number of milliseconds, got ${ttlMs}`,
    )
  }
  return ttlMs
}

/** Redis refuses INCR on a value that is not a 64-bit integer; the embedded stores do the same. */
function parseCounter(value: string): number {
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new TypeError('Cannot increment a stored value that is not an integer')
  }
  return Number(value)
}

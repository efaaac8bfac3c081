/**
 * Picks the next piece of work due on the emulator clock, for the Coinflow scheduler and the
 * webhook queue alike: the earliest due first and, at the same time, the one queued first, so a
 * run repeats exactly for the same inputs.
 */
export interface DueEntry {
  dueAt: number
  /** Queue order, the tie-break between entries due at the same time. */
  order: number
}

/** Removes from `entries` and returns the first entry due by `upTo`, or undefined when none is. */
export function takeFirstDue<T extends DueEntry>(entries: T[], upTo: number): T | undefined {
  let best = -1
  entries.forEach((entry, index) => {
    if (entry.dueAt > upTo) return
    const current = entries[best]
    if (
      !current ||
      entry.dueAt < current.dueAt ||
      (entry.dueAt === current.dueAt && entry.order < current.order)
    ) {
      best = index
    }
  })
  return best === -1 ? undefined : entries.splice(best, 1)[0]
}

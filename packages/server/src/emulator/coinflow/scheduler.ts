import type { EmulatorClock } from '../world'

/**
 * Runs work "later" on the emulator clock: a payout settling, a share-token review finishing.
 * Nothing runs by itself while the clock is a manual one; tests move the clock and call
 * `runDue()`, so every outcome is deterministic. With the system clock, `startTimer()` polls.
 *
 * @example
 * const scheduler = createScheduler(clock)
 * scheduler.at(clock.now() + 2_000, () => settle(payout))
 * clock.advance(2_000)
 * await scheduler.runDue()
 */
export interface Scheduler {
  /** Queues `task` to run once the clock reaches `dueMs`. */
  at(dueMs: number, task: () => void | Promise<void>): void
  /**
   * Runs every task that is due, oldest first (ties in the order they were queued), including
   * tasks that due tasks queue for a time already reached. Concurrent callers share one run.
   */
  runDue(): Promise<void>
  /** How many tasks are still waiting. */
  pending(): number
  /** The due time of the next waiting task, or null. */
  nextDueAt(): number | null
  /** Polls with a real timer (CLI, Storybook); returns the function that stops it. */
  startTimer(intervalMs?: number): () => void
}

interface Task {
  dueMs: number
  order: number
  run: () => void | Promise<void>
}

export function createScheduler(clock: EmulatorClock): Scheduler {
  const tasks: Task[] = []
  let order = 0
  let running: Promise<void> | null = null

  const takeNextDue = (): Task | undefined => {
    const now = clock.now()
    let best = -1
    for (let i = 0; i < tasks.length; i++) {
      const task = tasks[i]!
      if (task.dueMs > now) continue
      const current = best === -1 ? undefined : tasks[best]
      if (
        !current ||
        task.dueMs < current.dueMs ||
        (task.dueMs === current.dueMs && task.order < current.order)
      )
        best = i
    }
    return best === -1 ? undefined : tasks.splice(best, 1)[0]
  }

  const drain = async () => {
    for (let task = takeNextDue(); task; task = takeNextDue()) await task.run()
  }

  return {
    at(dueMs, run) {
      tasks.push({ dueMs, order: order++, run })
    },
    runDue() {
      // One drain at a time: a request arriving mid-run waits for the same run instead of
      // settling the same payout twice.
      running ??= drain().finally(() => {
        running = null
      })
      return running
    },
    pending: () => tasks.length,
    nextDueAt: () => (tasks.length === 0 ? null : Math.min(...tasks.map((task) => task.dueMs))),
    startTimer(intervalMs = 250) {
      const handle = setInterval(() => {
        void this.runDue()
      }, intervalMs)
      return () => clearInterval(handle)
    },
  }
}

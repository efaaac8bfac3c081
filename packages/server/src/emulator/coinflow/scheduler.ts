import { takeFirstDue } from '../due'
import type { EmulatorClock } from '../world'

/**
 * Runs work "later" on the emulator clock: a payout settling, a share-token review finishing.
 * Nothing runs by itself while the clock is a manual one; tests move the clock and call
 * `runDue()`, so every outcome is deterministic. With the system clock, the emulator's heartbeat
 * calls `runDue()`.
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
}

interface Task {
  dueAt: number
  order: number
  run: () => void | Promise<void>
}

export function createScheduler(clock: EmulatorClock): Scheduler {
  const tasks: Task[] = []
  let order = 0
  let running: Promise<void> | null = null

  const drain = async () => {
    for (let task = takeFirstDue(tasks, clock.now()); task; task = takeFirstDue(tasks, clock.now()))
      await task.run()
  }

  return {
    at(dueMs, run) {
      tasks.push({ dueAt: dueMs, order: order++, run })
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
    nextDueAt: () => (tasks.length === 0 ? null : Math.min(...tasks.map((task) => task.dueAt))),
  }
}

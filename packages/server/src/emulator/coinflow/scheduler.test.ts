import { describe, expect, it } from 'vitest'
import { createManualClock } from '../world'
import { createScheduler } from './scheduler'

describe('scheduler', () => {
  it('runs nothing until the clock reaches a task, then runs it once', async () => {
    const clock = createManualClock(0)
    const scheduler = createScheduler(clock)
    const ran: string[] = []
    scheduler.at(1_000, () => void ran.push('settle'))
    await scheduler.runDue()
    expect(ran).toEqual([])
    expect(scheduler.nextDueAt()).toBe(1_000)
    clock.advance(1_000)
    await scheduler.runDue()
    await scheduler.runDue()
    expect(ran).toEqual(['settle'])
    expect(scheduler.pending()).toBe(0)
  })

  it('runs due tasks oldest first, ties in the order they were queued', async () => {
    const clock = createManualClock(0)
    const scheduler = createScheduler(clock)
    const ran: string[] = []
    scheduler.at(300, () => void ran.push('c'))
    scheduler.at(100, () => void ran.push('a'))
    scheduler.at(300, () => void ran.push('d'))
    scheduler.at(200, () => void ran.push('b'))
    clock.advance(300)
    await scheduler.runDue()
    expect(ran).toEqual(['a', 'b', 'c', 'd'])
  })

  it('also runs work that a due task queues for a time already reached', async () => {
    const clock = createManualClock(0)
    const scheduler = createScheduler(clock)
    const ran: string[] = []
    scheduler.at(100, () => {
      ran.push('pending')
      scheduler.at(100, () => void ran.push('success'))
      scheduler.at(500, () => void ran.push('later'))
    })
    clock.advance(100)
    await scheduler.runDue()
    expect(ran).toEqual(['pending', 'success'])
    expect(scheduler.pending()).toBe(1)
  })

  it('shares one run between concurrent callers so no task runs twice', async () => {
    const clock = createManualClock(0)
    const scheduler = createScheduler(clock)
    let runs = 0
    scheduler.at(0, async () => {
      await Promise.resolve()
      runs++
    })
    await Promise.all([scheduler.runDue(), scheduler.runDue(), scheduler.runDue()])
    expect(runs).toBe(1)
  })
})

/**
 * Burst: N users start verification within the same minute, against Persona's 300 requests per
 * minute. Each simulated user does what the gate does (read the session, start the inquiry,
 * complete Persona's hosted form after a while, share whenever the status asks for it, wait for
 * approval, read the session), and retries a retryable answer after `Retry-After` or a backoff
 * until a deadline.
 * The bench records every status the BFF gave a user: no 429 may reach one.
 *
 * Time is scaled: the BFF, the emulator and every wait run on a clock `speed` times faster than
 * real time, so fifteen emulated minutes take well under a minute. Work that costs real CPU time
 * is scaled too, which makes the measured duration an upper bound.
 *
 * @module
 */
import type { KycStatus } from '@shareflow/contract'
import { completeHostedInquiry } from './journeys'
import { BFF_PREFIX, createLab, type Lab } from './lab'
import { median } from './stats'
import { PERSONA_LIMIT_PER_MINUTE } from './upstream'

export interface BurstSettings {
  users: number
  /** Users start uniformly within this window (ms of emulated time). */
  startWindowMs: number
  /** How long a user takes to fill in Persona's form (ms, emulated; ± half of it at random). */
  formMs: number
  /** Emulated ms per real ms. */
  speed: number
}

export interface BurstResults {
  settings: BurstSettings
  completed: number
  failed: number
  /** Where unfinished journeys stood at the deadline: KYC state → users. */
  stuck: Record<string, number>
  /** Answers with status 429 that reached a user: must be 0. */
  user429: number
  /** Users who saw at least one error answer. */
  usersWithErrors: number
  /** Other non-2xx answers users saw (all retried): status → count. */
  userErrors: Record<string, number>
  /** The same answers by route: `METHOD /path status` → count. */
  userErrorsByRoute: Record<string, number>
  /** Requests users sent in all, retries included. */
  userRequests: number
  /** Persona's own 429s to the BFF (the emulator enforces 300/min). */
  persona429: number
  personaCalls: number
  coinflowCalls: number
  /** First start to last approval, emulated minutes. */
  totalMinutes: number
  /**
   * Users × Persona calls of one uncontended journey, at 300 per minute: the least time any
   * integration making those calls needs, minutes. (`personaCalls / 300` when not known.)
   */
  floorMinutes: number
  /** Persona calls one journey costs when it has the API to itself. */
  personaPerJourney: number | null
  /** totalMinutes / floorMinutes. */
  vsFloor: number
  /** Median and slowest single journey, emulated minutes. */
  medianJourneyMinutes: number
  slowestJourneyMinutes: number
  realSeconds: number
}

/** A clock and a sleep running `speed` times faster than real time. */
function scaledTime(speed: number) {
  const realStart = Date.now()
  let offset = 0
  const now = () => realStart + (Date.now() - realStart) * speed + offset
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => setTimeout(resolve, Math.max(0, ms) / speed))
  return {
    clock: {
      now,
      advance: (ms: number) => {
        offset += ms
      },
      set: (ms: number) => {
        offset += ms - now()
      },
    },
    sleep,
  }
}

/**
 * `personaPerJourney` is what one uncontended journey costs (from the upstream section); the
 * floor is then the time the calls the journeys need take at 300/min, however they are spread.
 */
export async function measureBurst(
  settings: BurstSettings,
  personaPerJourney?: number,
): Promise<BurstResults> {
  const time = scaledTime(settings.speed)
  const lab = createLab({
    clock: time.clock,
    sleep: time.sleep,
    // 50 real ms: the emulator's due work (reviews, webhook retries) runs every few emulated seconds.
    heartbeatMs: 50,
    reviewMs: 3_000,
    // The BFF times requests and vendor calls with real timers: scale its defaults (25 s and
    // 10 s, `security/timeout.ts` and `upstream/http.ts`) like every other wait.
    requestTimeoutMs: 25_000 / settings.speed,
    upstreamTimeoutMs: 10_000 / settings.speed,
  })
  const realStarted = Date.now()
  const userErrors: Record<string, number> = {}
  const userErrorsByRoute: Record<string, number> = {}
  let userRequests = 0
  let user429 = 0
  const journeys: number[] = []
  let failed = 0
  let firstStart = Number.POSITIVE_INFINITY
  let lastDone = 0

  const erred = new Set<string>()

  /**
   * One BFF call, made by a patient user: a retryable answer is retried after `Retry-After` or
   * an exponential backoff up to five minutes (the gate shows the error and a retry button; this
   * user presses it, waiting longer each time).
   */
  const call = async (userId: string, path: string, init?: RequestInit): Promise<unknown> => {
    for (let attempt = 1; ; attempt++) {
      userRequests++
      const response = await lab.call(userId, `${BFF_PREFIX}${path}`, init)
      if (response.ok) return response.json()
      const status = response.status
      userErrors[status] = (userErrors[status] ?? 0) + 1
      const route = `${init?.method ?? 'GET'} ${path} ${status}`
      userErrorsByRoute[route] = (userErrorsByRoute[route] ?? 0) + 1
      if (status === 429) user429++
      await response.arrayBuffer()
      if (status !== 429 && status < 500) throw new Error(`${path} answered ${status}`)
      erred.add(userId)
      if (time.clock.now() > deadline) {
        throw new Error(`${path} still failing after ${attempt} attempts`)
      }
      const retryAfter = Number(response.headers.get('Retry-After'))
      await time.sleep(
        Number.isFinite(retryAfter) && retryAfter > 0
          ? retryAfter * 1000
          : Math.min(300_000, 1_000 * 2 ** attempt),
      )
    }
  }

  // A journey still unfinished after three times the floor, plus ten minutes, has failed.
  const floorMs = ((settings.users * (personaPerJourney ?? 5)) / PERSONA_LIMIT_PER_MINUTE) * 60_000
  const deadline = time.clock.now() + settings.startWindowMs + 3 * floorMs + 10 * 60_000
  const stuck: Record<string, number> = {}

  /**
   * The gate learns of changes by push; here the user's status is read where the push comes from.
   * Like the gate, the user shares whenever a status update asks for it (once per update).
   */
  const until = async (userId: string, states: readonly KycStatus['state'][]) => {
    let sharedFor: string | undefined
    for (;;) {
      const status = await lab.bff.shareflow.kyc.current(userId)
      if (states.includes(status.state)) return status
      if (status.nextAction === 'share' && status.updatedAt !== sharedFor) {
        sharedFor = status.updatedAt
        await call(userId, '/kyc/share', { method: 'POST', body: '{}' })
        continue
      }
      if (time.clock.now() > deadline) {
        stuck[status.state] = (stuck[status.state] ?? 0) + 1
        throw new Error(`still ${status.state} at the deadline`)
      }
      await time.sleep(1_000)
    }
  }

  const journey = async (userId: string, startAt: number, formMs: number) => {
    await time.sleep(startAt)
    const started = time.clock.now()
    firstStart = Math.min(firstStart, started)
    await call(userId, '/session')
    const link = (await call(userId, '/kyc/inquiry', { method: 'POST', body: '{}' })) as {
      oneTimeLink: string
    }
    await time.sleep(formMs)
    await completeHostedInquiry(lab, link.oneTimeLink)
    await until(userId, ['approved'])
    await call(userId, '/session')
    const done = time.clock.now()
    lastDone = Math.max(lastDone, done)
    journeys.push(done - started)
  }

  try {
    // A fixed linear congruential sequence: the same start times and form times on every run.
    let seed = 42
    const random = () => (seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32
    await Promise.all(
      Array.from({ length: settings.users }, (_, i) =>
        journey(
          `burst-${i}`,
          random() * settings.startWindowMs,
          settings.formMs * (0.5 + random()),
        ).catch((error: unknown) => {
          failed++
          if (failed <= 3)
            console.error(`burst user ${i}:`, error instanceof Error ? error.message : error)
        }),
      ),
    )
    const personaCalls = lab.traffic.persona
    const totalMinutes = (lastDone - firstStart) / 60_000
    const floorMinutes =
      (personaPerJourney === undefined ? personaCalls : settings.users * personaPerJourney) /
      PERSONA_LIMIT_PER_MINUTE
    return {
      settings,
      completed: journeys.length,
      failed,
      stuck,
      user429,
      usersWithErrors: erred.size,
      userErrors,
      userErrorsByRoute,
      userRequests,
      persona429: lab.traffic.persona429,
      personaCalls,
      coinflowCalls: lab.traffic.coinflow,
      totalMinutes: round2(totalMinutes),
      floorMinutes: round2(floorMinutes),
      personaPerJourney: personaPerJourney ?? null,
      vsFloor: round2(totalMinutes / floorMinutes),
      medianJourneyMinutes: round2(median(journeys) / 60_000),
      slowestJourneyMinutes: round2(Math.max(0, ...journeys) / 60_000),
      realSeconds: Math.round((Date.now() - realStarted) / 100) / 10,
    }
  } finally {
    lab.close()
  }
}

const round2 = (value: number) => Math.round(value * 100) / 100

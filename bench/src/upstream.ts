/**
 * Upstream cost per journey: Persona and Coinflow calls, summed from the BFF's own per-request
 * counters (the `upstream` field of each request log line, webhooks included), and how many such
 * journeys fit in Persona's 300 requests per minute.
 *
 * @module
 */
import type { QuoteOption } from '@shareflow/contract'
import { getSession, inquiryJourney, payout, quote, shareJourney, waitForPayout } from './journeys'
import { createLab, type Lab } from './lab'

export const PERSONA_LIMIT_PER_MINUTE = 300

export interface JourneyCost {
  journey: string
  /** BFF requests the journey made (browser calls and vendor webhooks). */
  bffRequests: number
  persona: number
  coinflow: number
  /** HTTP attempts the emulator answered, retries included; should equal the logical calls. */
  emulatorPersona: number
  emulatorCoinflow: number
  /** `floor(300 / persona)`; `null` when the journey makes no Persona call (no Persona ceiling). */
  journeysPerMinute: number | null
}

export interface UpstreamResults {
  limitPerMinute: number
  journeys: JourneyCost[]
}

async function measure(
  lab: Lab,
  journey: string,
  run: () => Promise<unknown>,
): Promise<JourneyCost> {
  await lab.emulator.runDue()
  lab.resetCounters()
  await run()
  await lab.emulator.runDue()
  const persona = lab.bffLines.reduce((sum, line) => sum + line.upstream.persona, 0)
  return {
    journey,
    bffRequests: lab.bffLines.length,
    persona,
    coinflow: lab.bffLines.reduce((sum, line) => sum + line.upstream.coinflow, 0),
    emulatorPersona: lab.traffic.persona,
    emulatorCoinflow: lab.traffic.coinflow,
    journeysPerMinute: persona === 0 ? null : Math.floor(PERSONA_LIMIT_PER_MINUTE / persona),
  }
}

export async function measureUpstream(): Promise<UpstreamResults> {
  const lab = createLab({ reviewMs: 100 })
  try {
    const journeys: JourneyCost[] = []
    journeys.push(
      await measure(lab, 'first verification (inquiry → share → approved)', () =>
        inquiryJourney(lab, 'cost-inquiry'),
      ),
    )

    await lab.seedCompletedInquiry('cost-share')
    journeys.push(
      await measure(lab, 'share an existing inquiry → approved', () =>
        shareJourney(lab, 'cost-share'),
      ),
    )

    journeys.push(
      await measure(lab, 'verified user opens the gate (GET /session)', () =>
        getSession(lab, 'cost-share'),
      ),
    )

    await lab.seedBankAccount('cost-share')
    const session = await getSession(lab, 'cost-share')
    const destination = session.destinations[0]
    if (!destination) throw new Error('the seeded bank account did not reach GET /session')
    let shown: QuoteOption | undefined
    journeys.push(
      await measure(lab, 'quote (POST /quotes)', async () => {
        const answer = await quote(lab, 'cost-share', destination.id)
        // The fastest available speed settles soonest on the emulator (asap: 2 s).
        shown = answer.options.find((option) => option.available)
      }),
    )
    if (!shown) throw new Error('the quote offered no available speed')
    const { speed, fee } = shown
    journeys.push(
      await measure(lab, 'payout (POST /payouts → webhooks)', async () => {
        const created = await payout(lab, 'cost-share', destination.id, {
          speed,
          fee,
          key: 'bench-payout-0001',
        })
        await waitForPayout(lab, 'cost-share', created.id)
      }),
    )
    return { limitPerMinute: PERSONA_LIMIT_PER_MINUTE, journeys }
  } finally {
    lab.close()
  }
}

/**
 * The user journeys, driven in-process against the lab the way the React kit drives them: one
 * helper per step, so the upstream-cost and burst sections run exactly the same sequence.
 *
 * @module
 */
import type { InquiryLink, KycStatus, Money, Payout, Quote, Session } from '@shareflow/contract'
import { BFF_PREFIX, identityFields, type Lab } from './lab'

export async function readJson<T>(response: Response, what: string): Promise<T> {
  const text = await response.text()
  if (!response.ok) throw new Error(`${what} answered ${response.status}: ${text.slice(0, 300)}`)
  return JSON.parse(text) as T
}

export const getSession = async (lab: Lab, userId: string) =>
  readJson<Session>(await lab.call(userId, `${BFF_PREFIX}/session`), 'GET /session')

export const share = async (lab: Lab, userId: string) =>
  readJson<KycStatus>(
    await lab.call(userId, `${BFF_PREFIX}/kyc/share`, { method: 'POST', body: '{}' }),
    'POST /kyc/share',
  )

export const startInquiry = async (lab: Lab, userId: string) =>
  readJson<InquiryLink>(
    await lab.call(userId, `${BFF_PREFIX}/kyc/inquiry`, { method: 'POST', body: '{}' }),
    'POST /kyc/inquiry',
  )

export const quote = async (lab: Lab, userId: string, destinationId: string, cents = 50_00) =>
  readJson<Quote>(
    await lab.call(userId, `${BFF_PREFIX}/quotes`, {
      method: 'POST',
      body: JSON.stringify({ amount: { cents, currency: 'USD' }, destinationId }),
    }),
    'POST /quotes',
  )

/** `POST /payouts` of $50.00 at `speed`, at the `fee` the user's quote showed. */
export const payout = async (
  lab: Lab,
  userId: string,
  destinationId: string,
  { speed, fee, key }: { speed: string; fee: Money; key: string },
) =>
  readJson<Payout>(
    await lab.call(userId, `${BFF_PREFIX}/payouts`, {
      method: 'POST',
      headers: { 'Idempotency-Key': key },
      body: JSON.stringify({
        amount: { cents: 50_00, currency: 'USD' },
        speed,
        destinationId,
        fee,
      }),
    }),
    'POST /payouts',
  )

const hidden = (html: string, name: string) =>
  new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html)?.[1] ??
  new RegExp(`value="([^"]*)"[^>]*name="${name}"`).exec(html)?.[1]

/**
 * What the user does in Persona's hosted flow: open the one-time link and submit the form. This
 * is Persona's web page, not its API, so it costs the BFF nothing.
 */
export async function completeHostedInquiry(lab: Lab, oneTimeLink: string): Promise<void> {
  const page = await lab.emulator.fetch(oneTimeLink, { redirect: 'follow' })
  const html = await page.text()
  const inquiryId = hidden(html, 'inquiry-id')
  const sessionToken = hidden(html, 'session-token')
  if (!page.ok || !inquiryId || !sessionToken) {
    throw new Error(`Persona's hosted flow did not open (${page.status})`)
  }
  const form = new URLSearchParams({
    'inquiry-id': inquiryId,
    'session-token': sessionToken,
    action: 'submit',
    ...identityFields(inquiryId),
  })
  const submitted = await lab.emulator.fetch(new URL('/persona/verify', oneTimeLink), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: form,
  })
  if (!submitted.ok)
    throw new Error(`submitting Persona's hosted flow answered ${submitted.status}`)
}

/** Waits, on real time, for the emulator's work and webhooks to move the user to `state`. */
export async function waitForKyc(
  lab: Lab,
  userId: string,
  states: readonly KycStatus['state'][],
  timeoutMs = 20_000,
): Promise<KycStatus> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    await lab.emulator.runDue()
    const status = await lab.bff.shareflow.kyc.current(userId)
    if (states.includes(status.state)) return status
    if (Date.now() > deadline) {
      throw new Error(`user ${userId} stayed ${status.state}, expected ${states.join(' or ')}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/**
 * Journey 2 as the gate runs it: read the session, share when told to, wait for the push, read
 * the session again. Returns the final session.
 */
export async function shareJourney(lab: Lab, userId: string): Promise<Session> {
  const first = await getSession(lab, userId)
  if (first.kyc.nextAction === 'share') await share(lab, userId)
  await waitForKyc(lab, userId, ['approved'])
  return getSession(lab, userId)
}

/** Journey 3 then 2: no inquiry yet; the user completes Persona's flow; the share follows. */
export async function inquiryJourney(lab: Lab, userId: string): Promise<Session> {
  await getSession(lab, userId)
  const link = await startInquiry(lab, userId)
  await completeHostedInquiry(lab, link.oneTimeLink)
  const status = await waitForKyc(lab, userId, ['sharing', 'pending', 'approved'])
  if (status.nextAction === 'share') await share(lab, userId)
  await waitForKyc(lab, userId, ['approved'])
  return getSession(lab, userId)
}

/** Waits until the payout has succeeded or failed (by Coinflow's webhook or the BFF's lookup). */
export async function waitForPayout(lab: Lab, userId: string, id: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    await lab.emulator.runDue()
    const current = await lab.payouts.service.get(userId, id)
    if (current && (current.state === 'succeeded' || current.state === 'failed')) return current
    if (Date.now() > deadline) throw new Error(`payout ${id} stayed ${current?.state ?? 'missing'}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

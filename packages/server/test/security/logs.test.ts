/**
 * The BFF's whole log through the journeys a user walks (verify, share, approval by webhook,
 * link a bank, quote, pay out, a refused and a failed request, forged webhooks), scanned with
 * `findLeaks`: no configured key or secret, no identity data, nothing secret-shaped.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { findLeaks } from '../../src/security/leaks'
import {
  COINFLOW_API_KEY,
  COINFLOW_WEBHOOK_KEY,
  PERSONA_API_KEY,
  PERSONA_WEBHOOK_SECRET,
  goodIdentity,
} from '../journeys/harness'
import { createVerifiedWorld, jane, type VerifiedWorld } from './world'

let world: VerifiedWorld
afterEach(() => world?.harness.close())

describe('the BFF log', () => {
  it('holds no secret and no personal data after every kind of request', async () => {
    world = await createVerifiedWorld()
    const payout = await world.payout(75_00, 'logs-payout-00001')
    await world.harness.advance(2_000)
    await world.request('/payouts', {
      method: 'POST',
      headers: { 'x-host-session': jane.id, 'Content-Type': 'application/json' },
      body: JSON.stringify({ amount: { cents: -1, currency: 'USD' }, ssn: '123-45-1234' }),
    })
    await world.request('/webhooks/persona', {
      method: 'POST',
      headers: { 'Persona-Signature': 't=1,v1=00' },
      body: JSON.stringify({ data: { attributes: { birthdate: '1990-04-12' } } }),
    })
    await world.harness.as(jane.id).get(`/payouts/${payout.id}`)
    const lines = world.harness.logger.lines
    expect(lines.length).toBeGreaterThan(20)
    const findings = findLeaks(lines, {
      secrets: [PERSONA_API_KEY, PERSONA_WEBHOOK_SECRET, COINFLOW_API_KEY, COINFLOW_WEBHOOK_KEY],
      personal: [
        goodIdentity.birthdate,
        goodIdentity['identification-number'],
        goodIdentity['address-street-1'],
        '1111222233330000',
        jane.email,
      ],
    })
    expect(findings).toEqual([])
  })
})

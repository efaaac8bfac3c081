/**
 * A vendor answering 503: without a breaker every user request spent four calls on it and
 * waited out the backoff (twenty users, eighty calls). With it, users hear
 * `503 upstream_unavailable` with `Retry-After` at once, one probe goes out when that time
 * comes, and the vendor's recovery is seen by the next user.
 */
import { ErrorEnvelope, Readiness } from '@shareflow/contract'
import { describe, expect, it } from 'vitest'
import { createTestBff, USER_HEADER } from './bff'

function bffWithPersonaDown() {
  let personaUp = false
  let personaCalls = 0
  const bff = createTestBff({
    rateLimits: false,
    // The default retry schedule, with its waits skipped.
    upstream: { sleep: async () => {}, breaker: true },
    fetch: async (input) => {
      const url = new URL(input instanceof Request ? input.url : String(input))
      if (!url.hostname.includes('withpersona')) throw new TypeError('no Coinflow in this test')
      personaCalls++
      if (!personaUp)
        return new Response('{"errors":[{"title":"Service Unavailable"}]}', { status: 503 })
      return new Response(JSON.stringify({ data: null }), {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      })
    },
  })
  const startInquiry = async (userId: string) => {
    const response = await bff.app.request('http://bff.test/kyc/inquiry', {
      method: 'POST',
      headers: { [USER_HEADER]: userId },
    })
    const body = (await response.json()) as unknown
    return { response, body }
  }
  return {
    ...bff,
    startInquiry,
    personaCalls: () => personaCalls,
    recover: () => (personaUp = true),
  }
}

describe('with Persona answering 503', () => {
  it('makes a handful of calls for twenty users, not eighty, and tells each at once when to come back', async () => {
    const bff = bffWithPersonaDown()
    const answers = []
    for (let i = 0; i < 20; i++) answers.push(await bff.startInquiry(`user-${i}`))

    // One user's four attempts and one more open the breaker; nobody after that reaches Persona.
    expect(bff.personaCalls()).toBe(5)
    for (const { response, body } of answers.slice(2)) {
      expect(response.status).toBe(503)
      const { error } = ErrorEnvelope.parse(body)
      expect(error.code).toBe('upstream_unavailable')
      expect(error.retryAfterSeconds).toBe(10)
      expect(response.headers.get('Retry-After')).toBe('10')
    }
    expect(bff.app.shareflow.breakers.persona?.state()).toBe('open')
    // The instance stays ready (every instance shares Persona); the probe says where it stands.
    const ready = await bff.app.request('/readyz')
    expect(ready.status).toBe(200)
    expect(Readiness.parse(await ready.json()).checks.persona).toBe('open')
  })

  it('sends one probe when the time comes, and closes once Persona answers again', async () => {
    const bff = bffWithPersonaDown()
    for (let i = 0; i < 2; i++) await bff.startInquiry(`user-${i}`)
    expect(bff.app.shareflow.breakers.persona?.state()).toBe('open')

    bff.clock.advance(10_000)
    const callsBefore = bff.personaCalls()
    // Still down: the probe fails and opens the breaker again, so the next user sends nothing.
    await bff.startInquiry('prober')
    expect(bff.personaCalls()).toBe(callsBefore + 1)
    await bff.startInquiry('next')
    expect(bff.personaCalls()).toBe(callsBefore + 1)

    bff.recover()
    bff.clock.advance(10_000)
    await bff.startInquiry('after-recovery')
    expect(bff.app.shareflow.breakers.persona?.state()).toBe('closed')
  })
})

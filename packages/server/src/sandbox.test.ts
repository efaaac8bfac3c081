import { InquiryLink, KycStatus, Session } from '@shareflow/contract'
import { expect, it } from 'vitest'
import { createManualClock } from './emulator'
import { createMemoryLogger } from './logger'
import { createSandboxShareflowApp } from './sandbox'

it('verifies and approves a user end to end on the in-process emulator, webhooks included', async () => {
  const clock = createManualClock()
  const { app, emulator } = createSandboxShareflowApp({
    getUser: () => ({ id: 'sandbox-user', email: 'sandbox@example.com' }),
    clock,
    logger: createMemoryLogger({ clock }),
    emulator: { clock },
  })
  try {
    const link = InquiryLink.parse(
      await (await app.request('/kyc/inquiry', { method: 'POST' })).json(),
    )
    const page = await (await emulator.fetch(link.oneTimeLink)).text()
    const hidden = (name: string) =>
      new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1] ?? ''
    await emulator.fetch(new URL('/persona/verify', link.oneTimeLink), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        'inquiry-id': hidden('inquiry-id'),
        'session-token': hidden('session-token'),
        'name-first': 'Sam',
        'name-last': 'Sandbox',
        birthdate: '1988-02-03',
        'address-street-1': '2 Elm St',
        'address-city': 'Denver',
        'address-subdivision': 'Colorado',
        'address-postal-code': '80202',
        'address-country-code': 'US',
        'identification-number': '123-45-6789',
        'sandbox-outcome': 'pass',
        action: 'submit',
      }),
    })
    await emulator.flush()
    const shared = KycStatus.parse(
      await (await app.request('/kyc/share', { method: 'POST' })).json(),
    )
    expect(shared.state).toBe('pending')
    clock.advance(10_000)
    await emulator.flush()
    const session = Session.parse(await (await app.request('/session')).json())
    expect(session.kyc.state).toBe('approved')
    expect(session.coinflow?.origin).toBe('http://localhost:3000')
  } finally {
    emulator.close()
  }
})

it('accepts the emulator’s webhooks after its clock is moved a day ahead, as vendors sign with real time', async () => {
  const { app, emulator } = createSandboxShareflowApp({
    getUser: () => ({ id: 'sandbox-user', email: 'sandbox@example.com' }),
    logger: createMemoryLogger(),
    emulator: { heartbeatMs: false },
  })
  try {
    const { inquiryId } = InquiryLink.parse(
      await (await app.request('/kyc/inquiry', { method: 'POST' })).json(),
    )
    // What a demo or e2e run does through /__emulator/clock/advance.
    emulator.clock.advance(24 * 60 * 60 * 1000)
    const expired = await emulator.fetch(
      `https://api.withpersona.com/api/v1/inquiries/${inquiryId}/expire`,
      { method: 'POST', headers: { Authorization: 'Bearer persona_sandbox_shareflow_emulator' } },
    )
    expect(expired.status).toBe(200)
    await emulator.flush()
    const deliveries = emulator.webhooks.deliveries()
    expect(deliveries.length).toBeGreaterThan(1)
    for (const record of deliveries) {
      expect(record.attempts.map((attempt) => attempt.status)).toEqual([200])
    }
  } finally {
    emulator.close()
  }
})

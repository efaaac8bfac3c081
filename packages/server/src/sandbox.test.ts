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

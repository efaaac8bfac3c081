import { describe, expect, it } from 'vitest'
import { createEmulator, createManualClock } from '../index'
import { asUser, merchant, requestCoinflow, usInfo } from './test-harness'

/** The Coinflow API as `createEmulator()` serves it: behind the fault middleware. */
async function emulatorWithPayableUser() {
  const emulator = createEmulator({ seed: 3, clock: createManualClock() })
  const call = (method: string, path: string, options?: Parameters<typeof requestCoinflow>[3]) =>
    requestCoinflow(emulator.coinflow, method, path, options)
  const registered = await call('POST', '/api/withdraw/kyc', {
    headers: asUser('user-1'),
    json: { info: usInfo() },
  })
  expect(registered.status).toBe(200)
  const linked = await call('POST', '/api/withdraw/account', {
    headers: asUser('user-1'),
    json: {
      alias: 'Checking',
      routingNumber: '011401533',
      accountNumber: '12345678',
      type: 'checking',
    },
  })
  return { emulator, call, account: linked.body.withdrawer.bankAccounts[0].token as string }
}

describe('Coinflow emulator behind faults', () => {
  it('answers 503 while faults say so, then pays once when the same key is retried', async () => {
    const { emulator, call, account } = await emulatorWithPayableUser()
    const request = {
      speed: 'standard',
      account,
      userId: 'user-1',
      amount: { cents: 100_00 },
      idempotencyKey: 'retry-me',
    }
    emulator.world.faults.coinflow.errorRate = 1
    const unavailable = await call('POST', '/api/merchant/withdraws/payout/delegated', {
      headers: merchant,
      json: request,
    })
    expect(unavailable.status).toBe(503)

    emulator.world.faults.coinflow.errorRate = 0
    const first = await call('POST', '/api/merchant/withdraws/payout/delegated', {
      headers: merchant,
      json: request,
    })
    const again = await call('POST', '/api/merchant/withdraws/payout/delegated', {
      headers: merchant,
      json: request,
    })
    expect(first.status).toBe(200)
    expect(again.body).toEqual(first.body)
    const balance = await call('GET', '/api/merchant/withdraws/payout/balance', {
      headers: merchant,
    })
    expect(balance.body.balance.cents).toBe(5_000_000_00 - 100_00)
    emulator.close()
  })
})

describe('Coinflow emulator: an injected 429', () => {
  it('says when to try again (Retry-After), in Coinflow’s error shape', async () => {
    const emulator = createEmulator({
      seed: 3,
      clock: createManualClock(),
      faults: { coinflow: { rateLimitRate: 1 } },
    })
    const response = await emulator.fetch(
      'https://api-sandbox.coinflow.cash/api/merchant/withdraws/payout/balance',
      { headers: merchant },
    )
    expect(response.status).toBe(429)
    expect(response.headers.get('Retry-After')).toBe('1')
    expect(await response.json()).toEqual({ details: 'Too Many Requests' })
    emulator.close()
  })
})

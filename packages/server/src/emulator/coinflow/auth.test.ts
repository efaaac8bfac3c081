import { describe, expect, it } from 'vitest'
import { API_KEY, approvedUser, asUser, createHarness, merchant } from './test-harness'

const decodeClaims = (token: string) =>
  JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')))

describe('Coinflow emulator: authentication', () => {
  it('mints an HS256 session key carrying the customer, merchant, iat and a 30-minute exp', async () => {
    const { call, clock } = createHarness({ merchantId: 'game-co' })
    const { status, body } = await call('GET', '/api/auth/session-key', {
      headers: asUser('user-1'),
    })
    expect(status).toBe(200)
    const [header] = body.key.split('.')
    expect(JSON.parse(atob(header))).toEqual({ alg: 'HS256', typ: 'JWT' })
    const iat = Math.floor(clock.now() / 1000)
    expect(decodeClaims(body.key)).toEqual({
      customerId: 'user-1',
      merchantId: 'game-co',
      iat,
      exp: iat + 1800,
    })
  })

  it('verifies a fresh session key and refuses it once its TTL has passed', async () => {
    const { call, advance } = createHarness({ sessionKeyTtlSeconds: 60 })
    const { body } = await call('GET', '/api/auth/session-key', { headers: asUser('user-1') })
    const fresh = await call('GET', '/api/auth/verify', {
      headers: { 'x-coinflow-auth-session-key': body.key },
    })
    expect(fresh.status).toBe(200)
    expect(fresh.body).toBeUndefined()
    await advance(60_000)
    const expired = await call('GET', '/api/auth/verify', {
      headers: { 'x-coinflow-auth-session-key': body.key },
    })
    expect(expired.status).toBe(401)
    expect(expired.body.details).toMatch(/expired/)
  })

  it('refuses a session key whose signature was tampered with', async () => {
    const { call } = createHarness()
    const { body } = await call('GET', '/api/auth/session-key', { headers: asUser('user-1') })
    const [header, payload, signature] = body.key.split('.')
    const forgedPayload = btoa(JSON.stringify({ ...decodeClaims(body.key), customerId: 'admin' }))
      .replace(/=+$/, '')
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
    for (const key of [`${header}.${forgedPayload}.${signature}`, `${header}.${payload}`, 'x']) {
      const { status } = await call('GET', '/api/auth/verify', {
        headers: { 'x-coinflow-auth-session-key': key },
      })
      expect(status).toBe(401)
    }
  })

  it('answers 401 with details when a withdraw call has no credentials at all', async () => {
    const { call } = createHarness()
    const { status, body } = await call('GET', '/api/withdraw')
    expect(status).toBe(401)
    expect(body.details).toMatch(/Authorization or x-coinflow-auth-session-key/)
  })

  it('asks for x-coinflow-auth-user-id when only the merchant key is sent', async () => {
    const { call } = createHarness()
    for (const path of ['/api/withdraw', '/api/auth/session-key']) {
      const { status, body } = await call('GET', path, { headers: merchant })
      expect(status).toBe(401)
      expect(body.details).toBe('Header x-coinflow-auth-user-id is required')
    }
  })

  it('refuses a merchant key sent with a Bearer prefix, as the raw-key API does', async () => {
    const { call } = createHarness()
    const { status, body } = await call('GET', '/api/merchant/withdraws/payout/balance', {
      headers: { Authorization: `Bearer ${API_KEY}` },
    })
    expect(status).toBe(401)
    expect(body.details).toMatch(/without Bearer/)
  })

  it('requires the merchant key on merchant endpoints, even with a valid session key', async () => {
    const { call } = createHarness()
    const { body } = await call('GET', '/api/auth/session-key', { headers: asUser('user-1') })
    const { status } = await call('GET', '/api/merchant/withdraws/payout/balance', {
      headers: { 'x-coinflow-auth-session-key': body.key },
    })
    expect(status).toBe(401)
  })

  it('lets a session key alone act for its user on withdraw endpoints', async () => {
    const harness = createHarness()
    await approvedUser(harness, 'user-7')
    const { body } = await harness.call('GET', '/api/auth/session-key', {
      headers: asUser('user-7'),
    })
    const withdrawer = await harness.call('GET', '/api/withdraw', {
      headers: { 'x-coinflow-auth-session-key': body.key },
    })
    expect(withdrawer.status).toBe(200)
    expect(withdrawer.body.withdrawer.wallet).toBe('shareflow-emulatorʬuser-7')
  })

  it('checks credentials before saying a path is not emulated, in Coinflow’s shape, never repeating the path', async () => {
    const { coinflow } = createHarness()
    // One of Coinflow's documented operations the emulator does not implement, and a made-up one.
    for (const path of ['/api/merchant/subscription/plans', '/api/teleport/jane.doe@example.com']) {
      const anonymous = await coinflow.api.request(`http://coinflow.test${path}`)
      expect(anonymous.status).toBe(401)
      expect(await anonymous.json()).toEqual({ details: 'Header Authorization is required' })
      const bearer = await coinflow.api.request(`http://coinflow.test${path}`, {
        headers: { Authorization: `Bearer ${API_KEY}` },
      })
      expect(bearer.status).toBe(401)
      const response = await coinflow.api.request(`http://coinflow.test${path}`, {
        headers: merchant,
      })
      expect(response.status).toBe(404)
      expect(await response.json()).toEqual({ details: 'Not Found' })
    }
  })

  it('refuses a body over 64 KB with 413 and a user id over 256 characters with 400', async () => {
    const harness = createHarness()
    const huge = await harness.call('POST', '/api/withdraw/pix', {
      headers: asUser('user-1'),
      json: { pixKey: 'x'.repeat(70_000) },
    })
    expect(huge).toMatchObject({ status: 413, body: { details: 'Request body is too large' } })
    const long = await harness.call('GET', '/api/withdraw', { headers: asUser('u'.repeat(257)) })
    expect(long.status).toBe(400)
  })
})

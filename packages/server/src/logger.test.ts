import { describe, expect, it } from 'vitest'
import { createMemoryLogger, redact, REDACTED } from './logger'

describe('logger', () => {
  it('writes one JSON object per line with level, time and message', () => {
    const logger = createMemoryLogger({ clock: { now: () => Date.UTC(2026, 0, 2, 3, 4, 5) } })
    logger.info('share registered', { state: 'pending', attempts: 2 })
    expect(logger.records()).toEqual([
      {
        level: 'info',
        time: '2026-01-02T03:04:05.000Z',
        msg: 'share registered',
        state: 'pending',
        attempts: 2,
      },
    ])
  })

  it('redacts sensitive fields by name at any depth and in any casing', () => {
    const logger = createMemoryLogger()
    logger.warn('vendor said no', {
      request: {
        headers: { Authorization: 'persona_sandbox_abc', 'x-coinflow-auth-user-id': 'user-1' },
        body: {
          info: { ssn: '1234', dob: '19761014', accountNumber: '000123456789', email: 'a@b.co' },
          'address-street-1': '1 Main St',
          'name-first': 'Jane',
          Birth_Date: '1990-01-01',
        },
      },
      sessionKey: 'anything',
    })
    const line = logger.lines[0]!
    for (const secret of [
      'persona_sandbox_abc',
      '1234',
      '19761014',
      '000123456789',
      'a@b.co',
      '1 Main St',
      'Jane',
      '1990-01-01',
      'anything',
    ]) {
      expect(line).not.toContain(secret)
    }
    expect(line).toContain('user-1')
    expect(logger.records()[0]).toMatchObject({
      request: { body: { info: { ssn: REDACTED, dob: REDACTED }, Birth_Date: REDACTED } },
    })
  })

  it('masks secret-shaped strings wherever they appear, including error messages', () => {
    const error = new Error(
      'failed for jane@example.com with Bearer persona_production_xyz and token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig',
    )
    const logger = createMemoryLogger()
    logger.error('upstream failed', { error, note: 'SSN 123-45-6789 card 4169050000000004' })
    const line = logger.lines[0]!
    for (const secret of [
      'jane@example.com',
      'persona_production_xyz',
      'eyJhbGciOiJIUzI1NiJ9',
      '123-45-6789',
      '4169050000000004',
    ]) {
      expect(line).not.toContain(secret)
    }
    expect(logger.records()[0]).toMatchObject({ error: { name: 'Error' } })
  })

  it('masks each secret shape when it is the only one in a value', () => {
    const alone = {
      jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig',
      personaKey: 'key persona_sandbox_abc',
      webhookSecret: 'wbhsec_abc',
      bearer: 'bearer abc.def',
      mail: 'jane@example.com',
      ssn: 'ssn 123-45-6789',
      card: 'card 4169050000000004',
    }
    const line = JSON.stringify(redact(alone))
    for (const value of Object.values(alone)) expect(line).not.toContain(value)
    expect(redact({ path: '/api/shareflow/session', id: 'req_4f2a' })).toEqual({
      path: '/api/shareflow/session',
      id: 'req_4f2a',
    })
  })

  it('keeps error causes, codes and statuses but survives cycles', () => {
    const inner = Object.assign(new Error('inner'), { status: 503 })
    const outer = new Error('outer', { cause: inner })
    const cyclic: Record<string, unknown> = { name: 'loop' }
    cyclic.self = cyclic
    expect(redact({ outer, cyclic })).toMatchObject({
      outer: { message: 'outer', cause: { message: 'inner', status: 503 } },
      cyclic: { name: 'loop', self: '[circular]' },
    })
  })

  it('adds child bindings to every line and drops lines below the level', () => {
    const logger = createMemoryLogger({ level: 'info' })
    const child = logger.child({ requestId: 'req_1' })
    child.debug('noise')
    child.info('kept')
    expect(logger.records()).toEqual([expect.objectContaining({ msg: 'kept', requestId: 'req_1' })])
  })
})

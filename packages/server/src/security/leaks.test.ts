import { describe, expect, it } from 'vitest'
import { createMemoryLogger } from '../logger'
import { findLeaks } from './leaks'

describe('findLeaks', () => {
  it('finds configured secrets, known personal data and secret-shaped values, naming only the kind', () => {
    const lines = [
      JSON.stringify({ msg: 'calling', apiKey: 'sk_configured_123456' }),
      JSON.stringify({ msg: 'identity', note: 'born 1994-03-17' }),
      JSON.stringify({ msg: 'x', header: 'Bearer abc.def.ghi-jkl' }),
      JSON.stringify({ msg: 'x', session: 'eyJhbGciOi.eyJzdWIiOiJ1.c2lnbmF0dXJl' }),
      JSON.stringify({ msg: 'x', detail: 'ssn 123-45-6789 on file' }),
      JSON.stringify({ msg: 'x', to: 'jane@example.com' }),
      JSON.stringify({ msg: 'x', account: 'acct 000123456789' }),
      JSON.stringify({ msg: 'x', iban: 'DE89 3704 0044 0532 0130 00' }),
      JSON.stringify({ msg: 'x', birthdate: '1990-01-01' }),
      'not json, persona_production_abcdef123456 in plain text',
    ]
    const findings = findLeaks(lines, {
      secrets: ['sk_configured_123456'],
      personal: ['1994-03-17'],
    })
    expect(findings.map((f) => f.line)).toEqual(
      expect.arrayContaining([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
    )
    expect(findings).toContainEqual({ line: 1, kind: 'a configured secret' })
    expect(findings).toContainEqual({ line: 9, kind: 'an unredacted "birthdate" field' })
    expect(JSON.stringify(findings)).not.toContain('123-45-6789')
  })

  it('passes the BFF logger’s own lines, redacted fields, ids, timestamps and amounts', () => {
    const logger = createMemoryLogger()
    logger.info('request', {
      requestId: 'req_3f9a0c1d2e4b5a6978c0d1e2f3a4b5c6',
      method: 'POST',
      path: '/payouts',
      status: 201,
      durationMs: 12,
      payoutId: 'po_01JD8X5V2Q7W3E4R5T6Y7U8I9O',
      amount: { cents: 1_000_000_00, currency: 'USD' },
      resetAt: 1_795_348_899_000,
    })
    logger.info('identity seen', {
      birthdate: '1994-03-17',
      ssn: '123-45-6789',
      email: 'jane@example.com',
      accountNumber: '000123456789',
    })
    expect(findLeaks(logger.lines)).toEqual([])
  })
})

/**
 * The BFF's whole log through the journeys a user walks (verify, share, approval by webhook,
 * link a bank, quote, pay out, a refused and a failed request, forged webhooks), scanned with
 * `findLeaks`: no configured key or secret, no identity data, nothing secret-shaped. The same
 * for each way a host can take the log: the default JSON lines, a real pino writing to a stream
 * (`pinoLogger`), and a real `Console` (`consoleLogger`); each still gets every line's fields.
 */
import { Console } from 'node:console'
import { Writable } from 'node:stream'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { consoleLogger, createMemoryLogger, pinoLogger, type Logger } from '../../src/logger'
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

/** A stream that keeps what is written to it, line by line. */
function lineStream() {
  const lines: string[] = []
  let partial = ''
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const parts = (partial + chunk.toString()).split('\n')
      partial = parts.pop()!
      lines.push(...parts.filter(Boolean))
      done()
    },
  })
  return { stream, lines }
}

const sinks: Record<string, () => { logger: Logger; lines: string[] }> = {
  'the default JSON lines': () => {
    const logger = createMemoryLogger()
    return { logger, lines: logger.lines }
  },
  'a real pino through pinoLogger': () => {
    const { stream, lines } = lineStream()
    return { logger: pinoLogger(pino({ level: 'debug' }, stream)), lines }
  },
  'a real Console through consoleLogger': () => {
    const { stream, lines } = lineStream()
    const target = new Console({
      stdout: stream,
      stderr: stream,
      inspectOptions: { depth: Infinity, breakLength: Infinity },
    })
    return { logger: consoleLogger({ level: 'debug', console: target }), lines }
  },
}

describe.each(Object.keys(sinks))('the BFF log, written to %s', (sink) => {
  it('holds no secret and no personal data after every kind of request', async () => {
    const { logger, lines } = sinks[sink]!()
    world = await createVerifiedWorld({ app: { logger } })
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
    // And a line a careless call site might write: redaction is by field name and value shape,
    // at any depth, in bindings and errors too, whatever the sink.
    logger.child({ email: jane.email }).warn('vendor said no', {
      request: {
        headers: { Authorization: PERSONA_API_KEY },
        body: { birthdate: goodIdentity.birthdate, 'address-street-1': 'x' },
      },
      error: new Error(`refused Bearer ${COINFLOW_WEBHOOK_KEY}`),
      note: `account 1111222233330000 of ${jane.email}`,
    })
    expect(lines.length).toBeGreaterThan(20)
    // The fields arrive too: the request line names the route that refused the forged webhook.
    expect(
      lines.some((line) => line.includes('request') && line.includes('/webhooks/persona')),
    ).toBe(true)
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

describe('a logger from another library', () => {
  it('is a Logger only through its adapter, which keeps the fields pino would drop', () => {
    const { stream, lines } = lineStream()
    const raw = pino(stream)
    // @ts-expect-error pino reads `info(message, fields)` as printf arguments and drops the fields.
    const unadapted: Logger = raw
    unadapted.info('share registered', { state: 'pending' })
    pinoLogger(raw).info('share registered', { state: 'pending', ssn: '123-45-6789' })
    const [dropped, kept] = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(dropped).toMatchObject({ msg: 'share registered', level: 30 })
    expect(dropped).not.toHaveProperty('state')
    expect(kept).toMatchObject({ msg: 'share registered', state: 'pending', ssn: '[redacted]' })
  })
})

/**
 * @module
 * The emulator's control endpoint, mounted at `/__emulator` on the Persona, Coinflow and hosted
 * apps (no vendor path starts with `__`). It reads and sets faults, moves the clock, lists webhook
 * deliveries and resets the world. Documented in README.md.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import type { EmulatorWebhookDispatcher } from './webhooks'
import { noFaults, type EmulatorWorld, type Vendor } from './world'

export interface ControlTarget {
  world: EmulatorWorld
  webhooks: EmulatorWebhookDispatcher
  clock: { now(): number; advance(ms: number): void; set(ms: number): void }
  runDue(): Promise<void>
  flush(): Promise<void>
  reset(): void
}

const rate = z.number().min(0).max(1)
const faultPatch = z.strictObject({
  latencyMs: z.int().min(0).max(60_000).optional(),
  errorRate: rate.optional(),
  timeoutRate: rate.optional(),
  rateLimitRate: rate.optional(),
  webhookDropRate: rate.optional(),
  webhookDuplicateRate: rate.optional(),
  webhookReorderRate: rate.optional(),
})

const advanceBody = z.strictObject({
  ms: z.int().min(0).optional(),
  seconds: z.number().min(0).optional(),
})

const setBody = z.strictObject({ time: z.union([z.iso.datetime(), z.int()]) })

const vendors: readonly Vendor[] = ['persona', 'coinflow']

export function createControlApp(target: ControlTarget): Hono {
  const app = new Hono()

  const problem = (message: string, status: 400 | 404 = 400) =>
    Response.json({ error: { message } }, { status })

  const readJson = async (request: Request): Promise<unknown> => {
    const text = await request.text()
    if (text.trim() === '') return {}
    try {
      return JSON.parse(text)
    } catch {
      return undefined
    }
  }

  const clockView = () => ({
    now: target.clock.now(),
    iso: new Date(target.clock.now()).toISOString(),
  })

  const deliveriesView = (withBodies: boolean) =>
    target.webhooks
      .deliveries()
      .map(({ delivery, ...record }) =>
        withBodies ? { ...record, body: delivery.body, headers: delivery.headers } : record,
      )

  app.get('/', (c) =>
    c.json({
      seed: target.world.seed,
      clock: clockView(),
      faults: target.world.faults,
      endpoints: [
        'GET /__emulator/faults',
        'PATCH /__emulator/faults/:vendor',
        'DELETE /__emulator/faults',
        'GET /__emulator/clock',
        'POST /__emulator/clock/advance {ms|seconds}',
        'POST /__emulator/clock/set {time}',
        'GET /__emulator/webhooks[?include=body]',
        'POST /__emulator/webhooks/flush',
        'POST /__emulator/reset',
      ],
    }),
  )

  app.get('/faults', (c) => c.json(target.world.faults))

  app.patch('/faults/:vendor', async (c) => {
    const vendor = c.req.param('vendor') as Vendor
    if (!vendors.includes(vendor))
      return problem(`Unknown vendor ${vendor}; use persona or coinflow`, 404)
    const parsed = faultPatch.safeParse(await readJson(c.req.raw))
    if (!parsed.success)
      return problem(
        parsed.error.issues
          .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
          .join('; '),
      )
    target.world.faults[vendor] = { ...target.world.faults[vendor], ...parsed.data }
    return c.json(target.world.faults[vendor])
  })

  app.delete('/faults', (c) => {
    for (const vendor of vendors) target.world.faults[vendor] = { ...noFaults }
    return c.json(target.world.faults)
  })

  app.get('/clock', (c) => c.json(clockView()))

  app.post('/clock/advance', async (c) => {
    const parsed = advanceBody.safeParse(await readJson(c.req.raw))
    if (!parsed.success) return problem('Send {"ms": <integer>} or {"seconds": <number>}')
    target.clock.advance(parsed.data.ms ?? Math.round((parsed.data.seconds ?? 0) * 1000))
    await target.runDue()
    return c.json(clockView())
  })

  app.post('/clock/set', async (c) => {
    const parsed = setBody.safeParse(await readJson(c.req.raw))
    if (!parsed.success) return problem('Send {"time": "<ISO 8601>"} or {"time": <epoch ms>}')
    const time = parsed.data.time
    target.clock.set(typeof time === 'number' ? time : Date.parse(time))
    await target.runDue()
    return c.json(clockView())
  })

  app.get('/webhooks', (c) =>
    c.json({
      deliveries: deliveriesView(c.req.query('include') === 'body'),
      forgotten: target.webhooks.forgotten(),
    }),
  )

  app.post('/webhooks/flush', async (c) => {
    await target.flush()
    return c.json({ deliveries: deliveriesView(false), forgotten: target.webhooks.forgotten() })
  })

  app.post('/reset', (c) => {
    target.reset()
    return c.json({ reset: true, clock: clockView() })
  })

  // A catch-all, not notFound(): a mounted app's notFound is never consulted.
  app.all('*', () => problem('No such control endpoint; GET /__emulator lists them', 404))
  return app
}

import { Session } from '@shareflow/contract'
import { afterEach, describe, expect, it } from 'vitest'
import { createManualClock } from './emulator'
import { createMemoryLogger } from './logger'
import { shareflowRouteHandlers } from './route-handlers'
import { createSandboxShareflowApp, type SandboxApp } from './sandbox'

let sandbox: SandboxApp | undefined
afterEach(() => sandbox?.emulator.close())

function sandboxApp() {
  const clock = createManualClock()
  sandbox = createSandboxShareflowApp({
    getUser: () => ({ id: 'route-user', email: 'route@example.com' }),
    clock,
    logger: createMemoryLogger({ clock }),
    emulator: { clock },
  })
  return sandbox.app
}

const at = (path: string, init?: RequestInit) =>
  new Request(`http://localhost:3001/api/shareflow${path}`, init)

describe('the BFF as a file-system route (Next.js route.ts)', () => {
  it('answers the route’s full path, which the app alone answers not_found', async () => {
    const app = sandboxApp()
    const straight = await app.fetch(at('/session'))
    expect(straight.status).toBe(404)
    expect(await straight.json()).toMatchObject({ error: { code: 'not_found' } })

    const { GET } = shareflowRouteHandlers(app, { basePath: '/api/shareflow' })
    const response = await GET(at('/session'))
    expect(response.status).toBe(200)
    expect(Session.parse(await response.json()).kyc.state).toBe('unverified')
  })

  it('keeps unknown paths under the route in the error envelope, and serves writes', async () => {
    const handlers = shareflowRouteHandlers(sandboxApp(), { basePath: '/api/shareflow' })
    const unknown = await handlers.GET(at('/nothing-here'))
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ error: { code: 'not_found' } })

    const inquiry = await handlers.POST(at('/kyc/inquiry', { method: 'POST' }))
    expect(inquiry.status).toBe(200)
    expect(await inquiry.json()).toHaveProperty('oneTimeLink')
  })

  it('tells the host at start-up when the base path is not a route’s path', () => {
    const app = sandboxApp()
    for (const basePath of ['api/shareflow', '/api/shareflow/', '/', '']) {
      expect(() => shareflowRouteHandlers(app, { basePath })).toThrow(/leading slash/)
    }
  })
})

describe('an app made on the first request (next build imports routes without serving them)', () => {
  it('is made once, when a request first arrives, and serves every method from then on', async () => {
    let made = 0
    const handlers = shareflowRouteHandlers(
      async () => {
        made += 1
        return sandboxApp()
      },
      { basePath: '/api/shareflow' },
    )
    expect(made).toBe(0)
    const [first, second] = await Promise.all([
      handlers.GET(at('/session')),
      handlers.POST(at('/kyc/inquiry', { method: 'POST' })),
    ])
    expect([first.status, second.status]).toEqual([200, 200])
    expect(made).toBe(1)
  })

  it('tries again on the next request when making it failed', async () => {
    let attempts = 0
    const { GET } = shareflowRouteHandlers(
      () => {
        attempts += 1
        if (attempts === 1) throw new Error('store not reachable yet')
        return sandboxApp()
      },
      { basePath: '/api/shareflow' },
    )
    await expect(GET(at('/session'))).rejects.toThrow('store not reachable yet')
    expect((await GET(at('/session'))).status).toBe(200)
  })
})

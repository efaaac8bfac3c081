/**
 * Per-user and per-address rate limits on every BFF route, counted in the store's fixed windows
 * (`rateWindow`), so every instance sharing a Redis store shares the same budgets. A request over
 * either budget answers `rate_limited` (429) in the envelope, with `retryAfterSeconds` and
 * `Retry-After` saying when the window turns, before its route reads the body or calls a vendor.
 * Webhook deliveries are budgeted apart: verified ones in a lane per vendor, refused ones on
 * their address (`WebhookBudget`).
 *
 * @module
 */
import type { Context, MiddlewareHandler } from 'hono'
import { ApiError } from '../errors'
import type { ShareflowEnv } from '../request-context'
import { peekRateWindow, rateWindow } from '../store/records'
import { requireUser } from '../user'

export interface RateLimit {
  /** Requests allowed in each window. */
  limit: number
  /** The window's length in milliseconds. */
  windowMs: number
}

export interface RateLimitOptions {
  /**
   * Requests one signed-in user may make in a window, across all instances. Default 600 per
   * minute: ten a second, far above what the kit's components send, far below a script's pace.
   */
  perUser?: RateLimit | false
  /**
   * Requests one client address may make in a window, webhooks and signed-out requests included.
   * Default 1 200 per minute (an office or a mobile carrier puts many users behind one address).
   */
  perAddress?: RateLimit | false
  /**
   * The client's address for this request, or `null` when unknown (then only the per-user limit
   * applies). Default: what `serveShareflow` worked out (its `trustProxy` option), else the peer
   * of a direct Node connection (`@hono/node-server`); never loopback, which is a local proxy or
   * tool, not one client. Elsewhere behind a load balancer, read the header it sets, and only
   * that one: e.g. `(c) => c.req.header('x-real-ip') ?? null`.
   */
  clientAddress?: (c: Context) => string | null | undefined
  /**
   * Verified webhook deliveries each vendor may make in a window, across all instances: their
   * own lane, apart from browsers, so a vendor's burst is never refused by the per-address limit.
   * Deliveries that fail verification count on the per-address limit instead, and once an
   * address has spent it, its deliveries are refused before they are verified. Default 6 000 per
   * minute per vendor.
   */
  webhooks?: RateLimit | false
}

export const defaultRateLimits = {
  perUser: { limit: 600, windowMs: 60_000 },
  perAddress: { limit: 1_200, windowMs: 60_000 },
  webhooks: { limit: 6_000, windowMs: 60_000 },
} as const satisfies Record<'perUser' | 'perAddress' | 'webhooks', RateLimit>

/**
 * What the rate limits hand a webhook route (`c.var.webhookBudget`): it tells them the verdict
 * on the delivery's signature, since only the route can check it.
 */
export interface WebhookBudget {
  /** The delivery is genuine: count it in its vendor's lane; throws `rate_limited` past it. */
  verified(): Promise<void>
  /** The delivery failed verification: count it against the sender's address. */
  refused(): Promise<void>
}

const LOOPBACK = /^(127\.|::1$|0:0:0:0:0:0:0:1$|localhost$)/

/**
 * The bindings `serveShareflow` hands the app as `c.env`: `@hono/node-server`'s own (`incoming`,
 * the Node request with its socket), plus the client's address it worked out.
 */
export interface NodeClientBindings {
  incoming?: { socket?: { remoteAddress?: unknown } }
  /** The client as `serveShareflow` sees it: the peer, or the one its trusted proxies name. */
  clientAddress?: string | null
  /** The origin the browser sees, as `serveShareflow`'s trusted proxies forwarded it. */
  publicOrigin?: string
  /** Aborted when the server starts draining (`lifecycle.ts`). */
  shutdown?: AbortSignal
}

/**
 * The client of a Node connection, when `@hono/node-server` passed its bindings as `c.env`: the
 * address `serveShareflow` worked out, or else the socket's peer. `null` for loopback and when
 * neither is known.
 */
export function nodePeerAddress(c: Context): string | null {
  const env = typeof c.env === 'object' ? (c.env as NodeClientBindings | null) : null
  const address =
    env && 'clientAddress' in env ? env.clientAddress : env?.incoming?.socket?.remoteAddress
  if (typeof address !== 'string' || address.trim() === '') return null
  const normalized = normalizeAddress(address)
  const loopback = LOOPBACK.test(normalized) || LOOPBACK.test(address.replace(/^\[|\]$/g, ''))
  return loopback ? null : normalized
}

/**
 * The client's address for a connection from `peer` that passed through `trustProxy` proxies of
 * your own, each appending the address it heard from to `X-Forwarded-For`: the entry that many
 * hops from the right, `peer` being hop 0. Entries further left were written by whoever reached
 * your outermost proxy, a browser included, so they are never read; with fewer entries than
 * hops (a request that skipped a proxy), the leftmost one there is.
 *
 * @example
 * // One load balancer in front: it connects to us and appends the browser's address.
 * forwardedClientAddress('10.0.0.5', 'spoofed, 203.0.113.7', 1) // '203.0.113.7'
 */
export function forwardedClientAddress(
  peer: string,
  forwardedFor: string | null | undefined,
  trustProxy: number,
): string {
  if (trustProxy <= 0) return peer
  const hops = (forwardedFor ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
  // Right to left: the peer, then what each proxy of ours says it heard from.
  const chain = [peer, ...hops.reverse()]
  return chain[Math.min(trustProxy, chain.length - 1)]!
}

/**
 * One bucket per client: IPv4 as is (also when written IPv4-mapped, `::ffff:1.2.3.4`), IPv6 by
 * its /64, because one subscriber is handed a whole /64 and could otherwise rotate through it.
 * A port some proxies add to `X-Forwarded-For` (`1.2.3.4:5678`, `[2001:db8::1]:443`) is dropped:
 * a client picks its own source port.
 */
export function normalizeAddress(raw: string): string {
  const address = raw
    .trim()
    .toLowerCase()
    .replace(/^\[([^\]]*)\](?::\d+)?$/, '$1')
    .replace(/^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/, '$1')
    .replace(/%.*$/, '')
  const mapped = /^(?:[0:]*:)?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address)
  if (mapped) return mapped[1]!
  if (!address.includes(':')) return address
  const [head = '', tail] = address.split('::')
  const left = head === '' ? [] : head.split(':')
  const right = tail === undefined || tail === '' ? [] : tail.split(':')
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
}

/** The vendor a webhook path is for (`/webhooks/persona` → `persona`), else `undefined`. */
const webhookVendor = (path: string) => /\/webhooks\/([^/]+)$/.exec(path)?.[1]

/**
 * @example
 * app.use(rateLimits({ perUser: { limit: 300, windowMs: 60_000 }, clientAddress: (c) => c.req.header('x-real-ip') ?? null }))
 */
export function rateLimits(
  options: RateLimitOptions | false = {},
): MiddlewareHandler<ShareflowEnv> {
  if (options === false) {
    return async function rateLimitsOff(_c, next) {
      await next()
    }
  }
  const perUser = options.perUser === undefined ? defaultRateLimits.perUser : options.perUser
  const perAddress =
    options.perAddress === undefined ? defaultRateLimits.perAddress : options.perAddress
  const webhooks = options.webhooks === undefined ? defaultRateLimits.webhooks : options.webhooks
  const clientAddress = options.clientAddress ?? nodePeerAddress

  return async function rateLimits(c, next) {
    const { store, clock } = c.get('shareflow')
    /**
     * Checks `key`'s window: `count` counts this request and refuses it past the budget,
     * `peek` only refuses when the budget is already spent, `record` only counts.
     */
    const check = async (
      key: string,
      budget: RateLimit,
      scope: 'user' | 'address' | 'webhook',
      mode: 'count' | 'peek' | 'record' = 'count',
    ) => {
      let result: Awaited<ReturnType<typeof rateWindow>>
      try {
        const window = { ...budget, clock }
        result = await (mode === 'peek' ? peekRateWindow : rateWindow)(store, key, window)
      } catch (error) {
        // The limits defend the vendors and the host; a store hiccup must not take the BFF down
        // with it, and the route's own store calls will report a real outage.
        c.var.logger.warn('rate limit not checked', { scope, error })
        return
      }
      if (result.allowed || mode === 'record') return
      const retryAfterSeconds = Math.max(1, Math.ceil((result.resetAt - clock.now()) / 1000))
      c.header('RateLimit-Limit', String(budget.limit))
      c.header('RateLimit-Remaining', '0')
      c.header('RateLimit-Reset', String(retryAfterSeconds))
      throw new ApiError('rate_limited', 'Too many requests. Please wait a moment and try again.', {
        retryAfterSeconds,
        cause: new Error(
          `${scope} rate limit of ${budget.limit} per ${budget.windowMs} ms reached`,
        ),
      })
    }

    const address = perAddress ? clientAddress(c) : null
    const addressKey = address
      ? `ratelimit:address:${encodeURIComponent(normalizeAddress(address))}`
      : null
    // Webhooks come from the vendors' servers, never from a user: no user limit, and the
    // address limit counts only deliveries that turn out not to be the vendor's.
    const vendor = webhookVendor(c.req.path)
    if (vendor !== undefined) {
      if (perAddress && addressKey) await check(addressKey, perAddress, 'address', 'peek')
      c.set('webhookBudget', {
        verified: async () => {
          if (webhooks) {
            await check(`ratelimit:webhook:${encodeURIComponent(vendor)}`, webhooks, 'webhook')
          }
        },
        refused: async () => {
          if (perAddress && addressKey) await check(addressKey, perAddress, 'address', 'record')
        },
      })
      return next()
    }
    if (perAddress && addressKey) await check(addressKey, perAddress, 'address')
    if (perUser) {
      const user = await requireUser(c).catch((error: unknown) => {
        if (error instanceof ApiError && error.code === 'unauthenticated') return null
        throw error
      })
      if (user) await check(`ratelimit:user:${encodeURIComponent(user.id)}`, perUser, 'user')
    }
    await next()
  }
}

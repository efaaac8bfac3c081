import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import { kybRoutes } from './kyb'
import type { Scheduler } from './scheduler'
import { WITHDRAW_SPEEDS } from './pricing'
import { CoinflowError, failure, type CoinflowState } from './state'

type Env = { Variables: { userId: string } }

/** Bounded strings: nothing a client sends is unbounded, and nothing empty where a value is meant. */
const text = (max = 256) => z.string().trim().min(1).max(max)
const email = z.email().max(254)
const country = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code')

const address = z.object({
  address1: text(),
  city: text(120),
  state: text(60),
  zip: text(20),
})

const cents = z.int().min(1).max(Number.MAX_SAFE_INTEGER)
const amount = z.object({
  cents,
  // The merchant's Coinflow wallet holds USD; payouts to other currencies are converted from it.
  currency: z.literal('USD', { error: 'must be USD' }).optional(),
})

const schemas = {
  shareToken: z.discriminatedUnion('vendor', [
    z.object({ vendor: z.literal('persona'), shareToken: text(200), email }),
    z.object({
      vendor: z.enum(['sumsub', 'sumsub_docv']),
      shareToken: text(200),
      country,
      email,
      redirectLink: z.url().optional(),
    }),
  ]),
  kycUs: z.object({
    merchantId: z.string().optional(),
    redirectLink: z.url().max(2048).optional(),
    info: z.object({
      email,
      firstName: text(100),
      surName: text(100),
      physicalAddress: text(),
      city: text(120),
      state: text(60),
      zip: text(20),
      country,
      dob: z.string().regex(/^\d{4}-?\d{2}-?\d{2}$/, 'must be YYYYMMDD'),
      ssn: z.string().regex(/^(\d{4}|\d{9})$/, 'must be the last 4 digits of the SSN'),
    }),
  }),
  kycDocument: z.object({
    merchantId: z.string().optional(),
    redirectLink: z.url().max(2048).optional(),
    email,
    country,
  }),
  bankAccount: z.object({
    alias: text(100),
    routingNumber: z.string().max(20),
    accountNumber: z.string().max(40),
    wireRoutingNumber: z.string().max(20).optional(),
    type: z.enum(['checking', 'savings']),
    address: address.optional(),
    name: text(200).optional(),
    firstName: text(100).optional(),
    lastName: text(100).optional(),
  }),
  debitCard: z.object({
    cardToken: text(64),
    expMonth: z.string().regex(/^(0[1-9]|1[0-2])$/, 'must be 01 to 12'),
    expYear: z.string().regex(/^(\d{2}|\d{4})$/, 'must be YY'),
    address: address.optional(),
    merchantId: z.string().optional(),
    additionalVendorData: z.object({}).optional(),
  }),
  iban: z.object({
    number: z.string().min(1).max(50),
    sortCode: z.string().max(10).optional(),
    bic: z.string().max(20).optional(),
    accountHolder: text(140).optional(),
    alias: text(100).optional(),
  }),
  pix: z.object({ pixKey: z.string().min(1).max(100) }),
  quote: z.object({
    speed: z.enum(WITHDRAW_SPEEDS),
    account: text(128),
    userId: text(),
    amount,
  }),
  payout: z.object({
    speed: z.enum(WITHDRAW_SPEEDS),
    account: text(128),
    userId: text(),
    amount,
    idempotencyKey: text(255),
    waitForConfirmation: z.boolean().optional(),
  }),
  tokenize: z.object({ data: z.string().regex(/^\d{13,19}$/, 'must be a card number') }),
}

/** `{details}` naming the first bad field and the problem, never the value that was sent. */
function invalid(error: z.ZodError): CoinflowError {
  const issue = error.issues[0]
  const path = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''
  return failure(400, `${path}${issue?.message ?? 'Invalid request body'}`)
}

async function readBody<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  const raw = await c.req.text()
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch {
    throw failure(400, 'Request body must be valid JSON')
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) throw invalid(parsed.error)
  return parsed.data
}

function merchantKey(c: Context): string {
  const key = c.req.header('Authorization')?.trim()
  if (!key) throw failure(401, 'Header Authorization is required')
  // Coinflow takes the raw key; a `Bearer` prefix means the integration is built wrong.
  if (/^bearer\s/i.test(key))
    throw failure(401, 'Invalid API key: send the raw key, without Bearer')
  return key
}

function userIdHeader(c: Context): string {
  const userId = c.req.header('x-coinflow-auth-user-id')?.trim()
  if (!userId) throw failure(401, 'Header x-coinflow-auth-user-id is required')
  if (userId.length > 256) throw failure(400, 'Header x-coinflow-auth-user-id is too long')
  return userId
}

/**
 * Builds the Coinflow REST API (base path `/api`).
 *
 * @example
 * const api = createCoinflowApi(state, scheduler)
 * await api.request('http://coinflow.test/api/merchant/withdraws/payout/balance', {
 *   headers: { Authorization: 'sandbox-key' },
 * })
 */
export function createCoinflowApi(
  state: CoinflowState,
  scheduler: Scheduler,
  middleware: MiddlewareHandler[] = [],
): Hono<Env> {
  const app = new Hono<Env>().basePath('/api')

  app.onError((error, c) => {
    if (error instanceof CoinflowError) {
      return c.json(error.body as object, error.status as ContentfulStatusCode)
    }
    return c.json({ details: 'Internal error' }, 500)
  })
  // An operation the emulator does not implement (Coinflow documents ~170) answers as Coinflow
  // answers an unknown path: credentials first, then a 404 that does not repeat the path.
  app.notFound(async (c) => {
    try {
      const sessionKey = c.req.header('x-coinflow-auth-session-key')
      if (!c.req.header('Authorization') && sessionKey) {
        if (!(await state.checkSessionKey(sessionKey)).ok) {
          throw failure(401, 'Invalid or expired session key')
        }
      } else merchantKey(c)
      throw failure(404, 'Not Found')
    } catch (error) {
      if (!(error instanceof CoinflowError)) throw error
      return c.json(error.body as object, error.status as ContentfulStatusCode)
    }
  })

  for (const handler of middleware) app.use(handler)
  app.use(async (_c, next) => {
    // Time moves between requests: settle whatever became due before answering.
    await scheduler.runDue()
    await next()
  })
  app.use(
    bodyLimit({
      maxSize: 64 * 1024,
      onError: (c) => c.json({ details: 'Request body is too large' }, 413),
    }),
  )

  /** Withdrawer-scoped auth: merchant key + user id, or a session key alone. */
  const user: MiddlewareHandler<Env> = async (c, next) => {
    const sessionKey = c.req.header('x-coinflow-auth-session-key')
    if (!c.req.header('Authorization') && sessionKey) {
      const check = await state.checkSessionKey(sessionKey)
      if (!check.ok) throw failure(401, 'Invalid or expired session key')
      c.set('userId', check.claims.customerId)
      return next()
    }
    if (!c.req.header('Authorization')) {
      throw failure(401, 'Header Authorization or x-coinflow-auth-session-key is required')
    }
    merchantKey(c)
    c.set('userId', userIdHeader(c))
    return next()
  }

  const merchant: MiddlewareHandler<Env> = async (c, next) => {
    merchantKey(c)
    return next()
  }

  app.get('/auth/session-key', merchant, async (c) =>
    c.json({ key: await state.createSessionKey(userIdHeader(c)) }),
  )

  app.get('/auth/verify', async (c) => {
    const sessionKey = c.req.header('x-coinflow-auth-session-key')
    if (!sessionKey) throw failure(401, 'Header x-coinflow-auth-session-key is required')
    const check = await state.checkSessionKey(sessionKey)
    if (!check.ok) throw failure(401, 'Invalid or expired session key')
    return c.body(null, 200)
  })

  app.post('/withdraw/kyc/share-token', user, async (c) => {
    const body = await readBody(c, schemas.shareToken)
    if (body.vendor !== 'persona') {
      throw failure(400, 'The emulator redeems Persona share tokens only')
    }
    return c.json(await state.registerWithShareToken(c.var.userId, body))
  })

  app.post('/withdraw/kyc', user, async (c) => {
    const raw = await readBody(c, z.unknown())
    const isUs = typeof raw === 'object' && raw !== null && 'info' in raw
    if (isUs) {
      const parsed = schemas.kycUs.safeParse(raw)
      if (!parsed.success) throw invalid(parsed.error)
      const result = await state.registerUs(c.var.userId, {
        ...parsed.data.info,
        redirectLink: parsed.data.redirectLink,
      })
      return c.json(result.body, result.status)
    }
    const parsed = schemas.kycDocument.safeParse(raw)
    if (!parsed.success) throw invalid(parsed.error)
    const result = await state.registerWithDocument(c.var.userId, parsed.data)
    return c.json(result.body, result.status)
  })

  kybRoutes(app, state, { user, readBody, invalid })

  app.get('/withdraw/history', user, (c) => c.json(state.history(c.var.userId)))

  for (const path of ['/withdraw', '/withdraw/']) {
    app.get(path, user, (c) =>
      c.json(state.getWithdrawer(c.var.userId, c.req.query('redirectLink') || undefined)),
    )
  }

  for (const path of ['/withdraw/account', '/withdraw/account/v2']) {
    app.post(path, user, async (c) => {
      const body = await readBody(c, schemas.bankAccount)
      // v2 names the holder; the sandbox fails payouts to a holder named `suspended`.
      const holderName = body.firstName ?? body.name
      await state.addBankAccount(c.var.userId, { ...body, holderName })
      return c.json(state.accountsOf(c.var.userId))
    })
  }

  app.post('/withdraw/debit-card', user, async (c) => {
    const body = await readBody(c, schemas.debitCard)
    return c.json(await state.addCard(c.var.userId, body))
  })

  app.post('/withdraw/iban', user, async (c) => {
    const body = await readBody(c, schemas.iban)
    return c.json(await state.addIban(c.var.userId, body))
  })

  app.post('/withdraw/pix', user, async (c) => {
    const body = await readBody(c, schemas.pix)
    return c.json(await state.addPix(c.var.userId, body.pixKey))
  })

  const deletions = { account: 'bank', card: 'card', iban: 'iban', pix: 'pix' } as const
  for (const [segment, kind] of Object.entries(deletions)) {
    app.delete(`/withdraw/${segment}/:token`, user, (c) =>
      c.json(state.deleteAccount(c.var.userId, kind, c.req.param('token'))),
    )
  }

  app.post('/merchant/withdraws/payout/delegated/quote', merchant, async (c) => {
    const body = await readBody(c, schemas.quote)
    return c.json(state.quote({ ...body, amountCents: body.amount.cents }))
  })

  app.post('/merchant/withdraws/payout/delegated', merchant, async (c) => {
    const body = await readBody(c, schemas.payout)
    return c.json(await state.payout({ ...body, amountCents: body.amount.cents }))
  })

  app.get('/merchant/withdraws/payout/balance', merchant, (c) =>
    c.json({ balance: { cents: state.balanceCents } }),
  )

  app.get('/merchant/withdraws/:withdrawalId', merchant, (c) =>
    c.json(state.findPayout(c.req.param('withdrawalId'))),
  )

  app.post('/tokenize/card-only', merchant, async (c) => {
    if (c.req.header('tx-token-scheme') !== 'sixANTOKENfour') {
      throw failure(400, 'Header tx-token-scheme must be sixANTOKENfour')
    }
    if (!c.req.header('tx-tokenex-id') || !c.req.header('tx-apikey')) {
      throw failure(401, 'Headers tx-tokenex-id and tx-apikey are required')
    }
    const body = await readBody(c, schemas.tokenize)
    return c.json({ ...state.tokenizeCard(body.data), success: true, error: '', message: '' })
  })

  return app
}

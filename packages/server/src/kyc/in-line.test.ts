import type { ShareflowEvent } from '@shareflow/contract'
import { describe, expect, it } from 'vitest'
import { createManualClock } from '../emulator/world'
import { ApiError } from '../errors'
import { silentLogger } from '../logger'
import { createMemoryStore } from '../store/memory'
import type { CoinflowApi } from '../upstream/coinflow'
import type { PersonaApi, PersonaInquiry } from '../upstream/persona'
import { createKycService, type KycRequest } from '.'

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 0))
}

/**
 * A KYC service whose Persona calls wait in a queue the test moves by hand (`serveAll`), with a
 * queue estimate the test sets, as the rate budget would report it.
 */
function serviceInLine() {
  const clock = createManualClock(Date.UTC(2026, 10, 22, 12, 0, 0))
  const store = createMemoryStore({ clock })
  const sent: string[] = []
  let waiting: (() => void)[] = []
  const queue = { estimateMs: 0 }
  const inLine = async (name: string) => {
    await new Promise<void>((go) => waiting.push(go))
    sent.push(name)
  }
  const inquiry = (status: string): PersonaInquiry => ({
    id: 'inq_ada',
    status,
    referenceId: 'ada',
    createdAt: '2026-11-22T12:00:00.000Z',
    updatedAt: '2026-11-22T12:00:00.000Z',
    expiredAt: null,
    nextStepName: null,
  })
  const persona = {
    getInquiry: async () => (await inLine('get'), inquiry('completed')),
    createShareToken: async () => {
      await inLine('token')
      const token = { id: 'shr_ada', status: 'created', expiresAt: null, failureReason: null }
      return { ok: true, token: { ...token, sourceId: 'inq_ada' } }
    },
    listInquiriesByReference: async () => (await inLine('list'), []),
    createInquiry: async () => {
      await inLine('create')
      return {
        inquiry: inquiry('created'),
        oneTimeLink: 'https://persona.example/verify?code=1',
        sessionToken: null,
      }
    },
  } as unknown as PersonaApi
  /** The request-bound client: never used for work kept in line. */
  const requestBound = new Proxy({} as PersonaApi, {
    get: () => () => Promise.reject(new Error('the request’s own client was used')),
  })
  const coinflow = {
    getWithdrawer: async () => ({ kind: 'not_registered' as const }),
    registerWithShareToken: async () => ({
      kind: 'registered' as const,
      verification: { status: 'pending', vendor: 'persona', shareTokenStatus: 'pending' },
    }),
  } as unknown as CoinflowApi
  const published: ShareflowEvent[] = []
  const kyc = createKycService({
    store,
    clock,
    logger: silentLogger,
    publish: async (_userId, event) => published.push(event),
    merchantId: 'unit',
    personaTemplateId: 'itmpl_unit',
    personaConnectionId: 'cxn_unit',
    personaQueue: { withCalls: () => persona, waitEstimateMs: () => queue.estimateMs },
  })
  const scope: KycRequest = { persona: requestBound, coinflow, answerWithinMs: 1_000 }
  return {
    kyc,
    scope,
    queue,
    sent,
    published,
    /** Lets every call waiting in line go, and whatever they lead to. */
    async serveAll() {
      for (let round = 0; round < 5; round++) {
        await settle()
        const due = waiting
        waiting = []
        for (const go of due) go()
      }
      await settle()
    },
  }
}

const ada = { id: 'ada', email: 'ada@example.com' }

describe('KYC work kept in Persona’s queue', () => {
  it('answers an inquiry at once with a Retry-After from the queue when it is longer than the request may wait', async () => {
    const { kyc, scope, queue } = serviceInLine()
    queue.estimateMs = 30_000
    const error = await kyc.startInquiry(ada, scope).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ code: 'upstream_unavailable', status: 503 })
    // Two calls left (find, then create): one queue's length, and two for the one after.
    expect((error as ApiError).extra.retryAfterSeconds).toBe(30 * 3)
  })

  it('hands the retry the link its kept work made, with no second Persona call', async () => {
    const { kyc, scope, queue, sent, serveAll } = serviceInLine()
    queue.estimateMs = 30_000
    await expect(kyc.startInquiry(ada, scope)).rejects.toMatchObject({ status: 503 })
    await serveAll()
    expect(sent).toEqual(['list', 'create'])

    const link = await kyc.startInquiry(ada, scope)
    expect(link).toMatchObject({ inquiryId: 'inq_ada', resumed: false })
    expect(sent).toEqual(['list', 'create'])
  })

  it('lets a retry that comes while the work is still in line join it', async () => {
    const { kyc, scope, queue, sent, serveAll } = serviceInLine()
    queue.estimateMs = 30_000
    await expect(kyc.startInquiry(ada, scope)).rejects.toMatchObject({ status: 503 })
    const retry = kyc.startInquiry(ada, { ...scope, answerWithinMs: 60_000 })
    await serveAll()
    await expect(retry).resolves.toMatchObject({ inquiryId: 'inq_ada' })
    expect(sent).toEqual(['list', 'create'])
  })

  it('asks Persona nothing more for an inquiry when the kept re-check just found none', async () => {
    const { kyc, scope, queue, sent, serveAll } = serviceInLine()
    queue.estimateMs = 30_000
    await kyc.refresh(ada, scope)
    await expect(kyc.startInquiry(ada, scope)).rejects.toMatchObject({ status: 503 })
    await serveAll()
    await expect(kyc.startInquiry(ada, scope)).resolves.toMatchObject({ inquiryId: 'inq_ada' })
    expect(sent).toEqual(['list', 'create'])
  })

  it('answers a re-check with what the BFF knows, and pushes what the kept check finds', async () => {
    const { kyc, scope, queue, sent, published, serveAll } = serviceInLine()
    queue.estimateMs = 30_000
    const status = await kyc.refresh(ada, scope)
    expect(status).toMatchObject({ state: 'unverified', nextAction: 'start_inquiry' })
    expect(sent).toEqual([])
    await serveAll()
    expect(sent).toEqual(['list'])
    // The check found no inquiry: the user's status is recorded (and pushed) as checked.
    expect(published).toEqual([
      { type: 'kyc.updated', kyc: expect.objectContaining({ state: 'unverified' }) },
    ])
  })

  it('answers a share in line as sharing + wait, and the share goes on to Coinflow', async () => {
    const { kyc, scope, queue, sent, serveAll } = serviceInLine()
    await kyc.applyPersonaEvent({
      id: 'evt_1',
      name: 'inquiry.completed',
      createdAt: '2026-11-22T12:00:00.000Z',
      resource: {
        type: 'inquiry',
        id: 'inq_ada',
        attributes: { status: 'completed', 'reference-id': 'ada' },
      },
    })
    expect(await kyc.current('ada')).toMatchObject({ state: 'sharing', nextAction: 'share' })
    queue.estimateMs = 30_000
    const status = await kyc.share(ada, scope)
    expect(status).toMatchObject({ state: 'sharing', nextAction: 'wait' })
    await serveAll()
    // Persona's webhook said moments ago that the inquiry is complete: no read before the token.
    expect(sent).toEqual(['token'])
    expect(await kyc.current('ada')).toMatchObject({ state: 'pending', nextAction: 'wait' })
  })

  it('uses the request’s own client when the request has no ceiling to answer before', async () => {
    const { kyc, scope } = serviceInLine()
    await expect(kyc.startInquiry(ada, { ...scope, answerWithinMs: undefined })).rejects.toThrow(
      'the request’s own client was used',
    )
  })
})

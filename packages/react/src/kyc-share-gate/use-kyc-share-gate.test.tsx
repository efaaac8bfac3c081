import type { InquiryLink, Session } from '@shareflow/contract'
import { act, renderHook, waitFor } from '@testing-library/react'
import type { ReactNode } from 'react'
import { describe, expect, it, vi } from 'vitest'
import type { ShareflowClient } from '../client'
import { ShareflowError } from '../errors'
import { ShareflowProvider } from '../provider'
import type { KycGateState } from './gate-state'
import { useKycShareGate } from './use-kyc-share-gate'

const at = '2026-11-22T12:00:00.000Z'
const session: Session = {
  user: { id: 'u1' },
  kyc: { state: 'unverified', nextAction: 'start_inquiry', updatedAt: at },
  destinations: [],
  coinflow: null,
}
const link: InquiryLink = {
  inquiryId: 'inq_1',
  oneTimeLink: 'https://persona.example/verify?code=1',
  resumed: false,
  kyc: { state: 'in_progress', nextAction: 'resume_inquiry', updatedAt: at },
}

/** A BFF client whose `startInquiry` gives the answers in `answers`, one per call. */
function clientStarting(answers: (() => Promise<InquiryLink>)[]) {
  const startInquiry = vi.fn(() => answers.shift()!())
  const client = {
    baseUrl: '/api/shareflow',
    getSession: async () => session,
    startInquiry,
    subscribe: () => () => {},
    liveStatus: 'idle',
  } as unknown as ShareflowClient
  return { client, startInquiry }
}

const inLine = (retryAfterSeconds?: number) =>
  new ShareflowError({
    code: 'upstream_unavailable',
    status: 503,
    message: 'Many people are verifying right now. Your place is kept.',
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  })

function renderGate(client: ShareflowClient) {
  const states: KycGateState[] = []
  const openInquiry = vi.fn()
  const wrapper = ({ children }: { children: ReactNode }) => (
    <ShareflowProvider client={client}>{children}</ShareflowProvider>
  )
  const view = renderHook(
    () => useKycShareGate({ openInquiry, onStateChange: (s) => states.push(s) }),
    { wrapper },
  )
  return { ...view, states, openInquiry }
}

describe('useKycShareGate when the BFF keeps the user in line', () => {
  it('comes back after Retry-After by itself and opens the link, never showing an error', async () => {
    const { client, startInquiry } = clientStarting([
      () => Promise.reject(inLine(1)),
      () => Promise.resolve(link),
    ])
    const { result, states, openInquiry } = renderGate(client)
    await waitFor(() => expect(result.current.state).toBe('start'))
    act(() => result.current.startVerification())
    await waitFor(() => expect(openInquiry).toHaveBeenCalledWith(link), { timeout: 5_000 })
    expect(startInquiry).toHaveBeenCalledTimes(2)
    expect(states).not.toContain('error')
  })

  it('shows the error at once when the BFF gave no time to come back', async () => {
    const { client, startInquiry } = clientStarting([() => Promise.reject(inLine())])
    const { result } = renderGate(client)
    await waitFor(() => expect(result.current.state).toBe('start'))
    act(() => result.current.startVerification())
    await waitFor(() => expect(result.current.state).toBe('error'))
    expect(startInquiry).toHaveBeenCalledTimes(1)
  })
})

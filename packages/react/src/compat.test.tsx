import { act, StrictMode, version } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { afterEach, expect, it, vi } from 'vitest'
import { createKitSandbox, type KitSandbox } from '../sandbox/sandbox'
import { KycShareGate, PayoutQuote, ShareflowProvider, WithdrawButton } from './index'

// Runs twice: under React 19 (project `react`, happy-dom) and React 18 (project `react18`, in
// Chromium, which aliases react and react-dom to 18.3 and sets SHAREFLOW_REACT=18). Plain
// react-dom, no testing library, so nothing else brings its own React.
const env = (import.meta as { env?: Record<string, string | undefined> }).env
const expected = env?.SHAREFLOW_REACT ?? '19'
Object.assign(globalThis, { IS_REACT_ACT_ENVIRONMENT: true })

let sandbox: KitSandbox | undefined
let root: Root | undefined
afterEach(() => {
  act(() => root?.unmount())
  sandbox?.close()
  document.body.innerHTML = ''
})

const text = (value: string) =>
  vi.waitFor(
    () => {
      const found = [...document.querySelectorAll('p, label, button')].find(
        (element) => element.textContent === value,
      )
      if (!found) throw new Error(`"${value}" is not on the page`)
      return found as HTMLElement
    },
    { timeout: 5_000 },
  )

it(`works under React ${expected} in StrictMode: gate, quote, one payout, one event stream`, async () => {
  expect(version.split('.')[0]).toBe(expected)
  sandbox = await createKitSandbox({ journey: 'linked' })
  const container = document.body.appendChild(document.createElement('div'))
  root = createRoot(container)
  act(() =>
    root!.render(
      <StrictMode>
        <ShareflowProvider client={sandbox!.client}>
          <KycShareGate>
            <PayoutQuote defaultAmount={100_00} currency="USD" />
            <WithdrawButton
              amount={{ cents: 100_00, currency: 'USD' }}
              speed="asap"
              storage={null}
            />
          </KycShareGate>
        </ShareflowProvider>
      </StrictMode>,
    ),
  )
  await vi.waitFor(
    () => expect(container.querySelector('input[type="radio"]:checked')).not.toBeNull(),
    {
      timeout: 5_000,
    },
  )
  const withdraw = await text('Withdraw $100.00')
  await vi.waitFor(() => expect(withdraw.getAttribute('aria-disabled')).toBe('false'))
  await act(async () => withdraw.click())
  await text('Your payout of $100.00 is on its way.')
  await act(() => sandbox!.advance(2_000))
  await text('$100.00 paid out by Instant transfer.')
  expect(sandbox.requests.filter((r) => r.path === '/payouts')).toHaveLength(1)
  expect(sandbox.requests.filter((r) => r.path === '/events')).toHaveLength(1)
}, 20_000)

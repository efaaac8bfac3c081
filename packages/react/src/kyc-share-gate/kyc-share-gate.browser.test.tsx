import type { InquiryLink, Session } from '@shareflow/contract'
import { QueryClient } from '@tanstack/react-query'
import { cleanup, render } from '@testing-library/react'
import axe from 'axe-core'
import { StrictMode } from 'react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { commands, page, userEvent } from 'vitest/browser'
import { serveHostedPages } from '../../sandbox/hosted'
import { createKitSandbox, type Journey, type KitSandbox } from '../../sandbox/sandbox'
import { de } from '../locales/de'
import { ShareflowProvider } from '../provider'
import { KycShareGate, type KycShareGateProps } from './kyc-share-gate'
import type { KycGateState } from './gate-state'

let sandbox: KitSandbox | undefined
afterEach(async () => {
  // Persona's windows a test opened go with it.
  await commands.leavePersona('close')
  cleanup()
  sandbox?.close()
  sandbox = undefined
})

async function renderGate(journey: Journey, props: Partial<KycShareGateProps> = {}) {
  sandbox = await createKitSandbox({ journey })
  const states: KycGateState[] = []
  const openInquiry = vi.fn<(link: InquiryLink) => void>()
  const view = render(
    <ShareflowProvider client={sandbox.client}>
      <KycShareGate
        openInquiry={openInquiry}
        onStateChange={(state) => states.push(state)}
        {...props}
      >
        <p>Cash out</p>
      </KycShareGate>
    </ShareflowProvider>,
  )
  return { sandbox, states, openInquiry, view }
}

const gate = () => page.getByText('Cash out')
const heading = (name: string | RegExp) => page.getByRole('heading', { name })

async function expectNoAxeViolations(element: Element) {
  const { violations } = await axe.run(element)
  expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([])
}

describe('<KycShareGate>', () => {
  it('shows its children at once to a user Coinflow already approved, and says so once', async () => {
    const onVerified = vi.fn<(session: Session) => void>()
    const { sandbox } = await renderGate('verified', { onVerified })
    await expect.element(gate()).toBeVisible()
    expect(onVerified).toHaveBeenCalledTimes(1)
    expect(onVerified.mock.calls[0]?.[0].kyc.state).toBe('approved')
    // Journey 1: one round trip. Nothing is under review, so no event stream opens either (a
    // moment's grace for one that would have opened after the children rendered).
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(sandbox.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /session'])
    expect(sandbox.client.liveStatus).toBe('idle')
  })

  it('walks a new user through Persona to approved, live from the event stream', async () => {
    const { sandbox, states, openInquiry, view } = await renderGate('new')
    await expect.element(heading('Verify your identity')).toBeVisible()
    await expectNoAxeViolations(view.container)

    await userEvent.click(page.getByRole('button', { name: 'Start verification' }))
    await expect.element(heading('Finish verifying with Persona')).toBeVisible()
    expect(openInquiry).toHaveBeenCalledTimes(1)
    expect(openInquiry.mock.calls[0]?.[0].oneTimeLink).toMatch(/^http:\/\/localhost:3000\//)
    // Focus follows the screen the click led to, not the button that went away, and the live
    // region says where the user is now.
    await expect.element(heading('Finish verifying with Persona')).toHaveFocus()
    await expect
      .element(page.getByRole('status'))
      .toHaveTextContent('Finish verifying with Persona')

    // The person finishes Persona's flow in the other tab; its webhook reaches the BFF, which
    // tells the page over SSE, and the gate registers them with Coinflow by itself.
    await sandbox.completeInquiry()
    await expect.element(heading('Coinflow is checking your details')).toBeVisible()
    await sandbox.advance(3_000)
    await expect.element(gate()).toBeVisible()
    expect(states).toEqual([
      'loading',
      'start',
      'opening',
      'in_progress',
      'sharing',
      'pending',
      'approved',
    ])
    expect(sandbox.requests.filter((r) => r.path === '/kyc/share')).toHaveLength(1)
    expect(sandbox.requests.filter((r) => r.path === '/events')).toHaveLength(1)
  })

  it('shares a finished inquiry with Coinflow without being asked, before showing anything of Coinflow', async () => {
    const { sandbox, states } = await renderGate('share')
    await expect.element(heading('Coinflow is checking your details')).toBeVisible()
    expect(sandbox.requests.filter((r) => r.path === '/kyc/share')).toHaveLength(1)
    await sandbox.advance(3_000)
    await expect.element(gate()).toBeVisible()
    expect(states).toContain('sharing')
    expect(states.at(-1)).toBe('approved')
    // The share's answer and the stream's events say all there is: the session is read once.
    expect(sandbox.requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'GET /events',
      'GET /session',
      'POST /kyc/share',
    ])
    // Approved is final: the stream closes.
    await vi.waitFor(() => expect(sandbox.client.liveStatus).toBe('idle'))
  })

  it('lets a user who left Persona open reopen it', async () => {
    const { openInquiry } = await renderGate('in_progress')
    await expect.element(heading('Finish verifying with Persona')).toBeVisible()
    await userEvent.click(page.getByRole('button', { name: 'Continue verification' }))
    await vi.waitFor(() => expect(openInquiry).toHaveBeenCalledTimes(1))
  })

  it('moves focus to the new screen without scrolling a long page to it', async () => {
    // The gate far down a host page (or a Docs page of many stories), the reader at the top.
    sandbox = await createKitSandbox({ journey: 'new', faults: { persona: { latencyMs: 300 } } })
    render(
      <ShareflowProvider client={sandbox.client}>
        <div style={{ height: '3000px' }} />
        <KycShareGate openInquiry={() => {}}>
          <p>Cash out</p>
        </KycShareGate>
      </ShareflowProvider>,
    )
    window.scrollTo(0, 0)
    await expect.element(heading('Verify your identity'), { timeout: 5_000 }).toHaveFocus()
    expect(window.scrollY).toBe(0)
  })

  it("sends a user Coinflow needs more from to Coinflow's page, in a new tab", async () => {
    // No webhook says "needs more": the gate asks the BFF again while Coinflow reviews.
    const { sandbox, view } = await renderGate('needs_more_info', { recheckMs: 200 })
    await sandbox.advance(3_000)
    await expect.element(heading('Coinflow needs a few more details')).toBeVisible()
    const link = page.getByRole('link', { name: /Continue with Coinflow/ })
    await expect.element(link).toHaveAttribute('target', '_blank')
    expect(link.element().getAttribute('href')).toMatch(/^http:\/\/localhost:3000\/verification\//)
    await expectNoAxeViolations(view.container)
  })

  it('tells a rejected user plainly, with no way forward but support', async () => {
    const { sandbox } = await renderGate('rejected')
    await sandbox.advance(3_000)
    await expect.element(heading('We could not verify your identity')).toBeVisible()
    await expect
      .element(page.getByText('Our payout partner could not verify your identity.'))
      .toBeVisible()
    expect(page.getByRole('button').elements()).toHaveLength(0)
  })

  it('links a declined user to the host’s support page', async () => {
    const { sandbox } = await renderGate('rejected', { supportUrl: '#support' })
    await sandbox.advance(3_000)
    await expect.element(heading('We could not verify your identity')).toBeVisible()
    await userEvent.click(page.getByRole('link', { name: 'Contact support' }))
    expect(window.location.hash).toBe('#support')
    window.location.hash = ''
  })

  it('says why in the user’s language: the server sends a code, not an English sentence', async () => {
    sandbox = await createKitSandbox({ journey: 'rejected' })
    render(
      <ShareflowProvider client={sandbox.client} locale="de-DE" messages={de}>
        <KycShareGate />
      </ShareflowProvider>,
    )
    await sandbox.advance(3_000)
    await expect.element(heading('Wir konnten deine Identität nicht bestätigen')).toBeVisible()
    await expect
      .element(page.getByText('Unser Auszahlungspartner konnte deine Identität nicht bestätigen.'))
      .toBeVisible()
    expect(document.body.textContent).not.toMatch(/payout partner/)
  })

  describe("Persona's window", () => {
    async function renderOwnWindow() {
      sandbox = await createKitSandbox({ journey: 'new' })
      await serveHostedPages(sandbox)
      render(
        <ShareflowProvider client={sandbox.client}>
          <KycShareGate>
            <p>Cash out</p>
          </KycShareGate>
        </ShareflowProvider>,
      )
      await userEvent.click(page.getByRole('button', { name: 'Start verification' }))
      return sandbox
    }

    it('says the user left Persona when they exit its flow and close it, and takes them back', async () => {
      await renderOwnWindow()
      await expect.element(page.getByText(/^Persona opened in a new window/)).toBeVisible()
      // The person presses Exit in Persona's tab and closes it.
      expect(await commands.leavePersona('exit')).toBe(1)
      await expect
        .element(
          page.getByText('You closed Persona before finishing. Continue where you left off.'),
        )
        .toBeVisible()
      expect(page.getByText(/opened in a new window/).elements()).toHaveLength(0)
      await userEvent.click(page.getByRole('button', { name: 'Continue verification' }))
      await expect.element(page.getByText(/^Persona opened in a new window/)).toBeVisible()
      expect(await commands.leavePersona('close')).toBe(1)
    })

    it('offers a link when the browser blocked the window, and it opens Persona', async () => {
      // What a popup blocker answers `window.open`: no window.
      const open = vi.spyOn(window, 'open').mockReturnValue(null)
      await renderOwnWindow()
      await expect
        .element(page.getByText('Your browser blocked the window for Persona.', { exact: false }))
        .toBeVisible()
      expect(page.getByText(/opened in a new window/).elements()).toHaveLength(0)
      open.mockRestore()
      const link = page.getByRole('link', { name: /Open Persona/ })
      expect(link.element().getAttribute('href')).toMatch(/^http:\/\/localhost:3000\/persona\//)
      await userEvent.click(link)
      await expect.element(page.getByText(/^Persona opened in a new window/)).toBeVisible()
      await vi.waitFor(async () => expect(await commands.leavePersona('close')).toBe(1))
    })

    it('does not claim a window it did not open (a reload mid-flow)', async () => {
      await renderGate('in_progress')
      await expect
        .element(page.getByText('Your verification is not finished yet.', { exact: false }))
        .toBeVisible()
      expect(page.getByText(/opened in a new window/).elements()).toHaveLength(0)
    })
  })

  it('offers a fresh start when the inquiry expired', async () => {
    const { openInquiry } = await renderGate('expired')
    await expect.element(heading('Your verification expired')).toBeVisible()
    await userEvent.click(page.getByRole('button', { name: 'Start again' }))
    await vi.waitFor(() => expect(openInquiry).toHaveBeenCalledTimes(1))
    await expect.element(heading('Finish verifying with Persona')).toBeVisible()
  })

  it('shows an error with its reference and recovers on retry', async () => {
    sandbox = await createKitSandbox({ journey: 'new', faults: { persona: { errorRate: 1 } } })
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } })
    render(
      <ShareflowProvider client={sandbox.client} queryClient={queryClient}>
        <KycShareGate>
          <p>Cash out</p>
        </KycShareGate>
      </ShareflowProvider>,
    )
    await expect.element(heading('Something went wrong')).toBeVisible()
    await expect.element(page.getByText(/^Reference: req_/)).toBeVisible()
    sandbox.emulator.world.faults.persona.errorRate = 0
    await userEvent.click(page.getByRole('button', { name: 'Try again' }))
    await expect.element(heading('Verify your identity')).toBeVisible()
  })

  it('renders the host’s own screen for a state, with the gate’s actions', async () => {
    const { openInquiry } = await renderGate('new', {
      fallback: {
        start: (controller) => (
          <button type="button" onClick={controller.startVerification}>
            Prove it’s you
          </button>
        ),
      },
    })
    await userEvent.click(page.getByRole('button', { name: 'Prove it’s you' }))
    await vi.waitFor(() => expect(openInquiry).toHaveBeenCalledTimes(1))
  })

  it("opens Persona's one-time link in a new window by default, cut off from this page", async () => {
    sandbox = await createKitSandbox({ journey: 'new' })
    const opened = { opener: window as unknown, location: { href: '' }, close: vi.fn() }
    const open = vi.spyOn(window, 'open').mockReturnValue(opened as unknown as Window)
    render(
      <ShareflowProvider client={sandbox.client}>
        <KycShareGate inquiryWindow="popup" />
      </ShareflowProvider>,
    )
    await userEvent.click(page.getByRole('button', { name: 'Start verification' }))
    await vi.waitFor(() => expect(opened.location.href).toMatch(/^http:\/\/localhost:3000\//))
    // Opened in the click itself (popup blockers allow that), before the link existed.
    expect(open).toHaveBeenCalledWith('', '_blank', expect.stringContaining('popup'))
    expect(opened.opener).toBeNull()
    open.mockRestore()
  })

  it('keeps one event stream and one share under StrictMode', async () => {
    sandbox = await createKitSandbox({ journey: 'share' })
    render(
      <StrictMode>
        <ShareflowProvider client={sandbox.client}>
          <KycShareGate>
            <p>Cash out</p>
          </KycShareGate>
        </ShareflowProvider>
      </StrictMode>,
    )
    await expect.element(heading('Coinflow is checking your details')).toBeVisible()
    await sandbox.advance(3_000)
    await expect.element(gate()).toBeVisible()
    expect(sandbox.requests.filter((r) => r.path === '/kyc/share')).toHaveLength(1)
    expect(sandbox.requests.filter((r) => r.path === '/events')).toHaveLength(1)
  })

  it('speaks German, formats for the locale, and switches to dark at runtime', async () => {
    sandbox = await createKitSandbox({ journey: 'new' })
    const client = sandbox.client
    const view = render(
      <ShareflowProvider client={client} locale="de-DE" messages={de}>
        <KycShareGate />
      </ShareflowProvider>,
    )
    await expect.element(heading('Bestätige deine Identität')).toBeVisible()
    const root = view.container.querySelector('[data-shareflow]')!
    expect(root.getAttribute('data-theme')).toBe('light')
    view.rerender(
      <ShareflowProvider
        client={client}
        locale="de-DE"
        messages={de}
        appearance={{ theme: 'dark', variables: { colorPrimary: '#ff0066' } }}
      >
        <KycShareGate />
      </ShareflowProvider>,
    )
    await vi.waitFor(() => expect(root.getAttribute('data-theme')).toBe('dark'))
    expect((root as HTMLElement).style.getPropertyValue('--sf-color-primary')).toBe('#ff0066')
  })

  it('loads German by itself for a German locale', async () => {
    sandbox = await createKitSandbox({ journey: 'new' })
    render(
      <ShareflowProvider client={sandbox.client} locale="de-AT">
        <KycShareGate />
      </ShareflowProvider>,
    )
    await expect.element(heading('Bestätige deine Identität')).toBeVisible()
  })
})

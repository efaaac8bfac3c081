import { cleanup, render } from '@testing-library/react'
import axe from 'axe-core'
import { StrictMode } from 'react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { page, userEvent } from 'vitest/browser'
import { sandboxCredentials } from '@shareflow/server/sandbox'
import { serveHostedPages } from '../../sandbox/hosted'
import { createKitSandbox, type KitSandbox } from '../../sandbox/sandbox'
import { ShareflowProvider } from '../provider'
import type { KycGateState } from './gate-state'
import { KycShareGate } from './kyc-share-gate'
import { createPersonaEmbeddedFlow } from './persona-embed'

// Persona's real SDK, pointed at the emulator's hosted pages (served on localhost:3000 here).
const closed: string[] = []
const openInquiry = createPersonaEmbeddedFlow({
  host: 'localhost:3000',
  onClose: (outcome) => closed.push(outcome),
})

let sandbox: KitSandbox | undefined
afterEach(() => {
  cleanup()
  sandbox?.close()
  sandbox = undefined
  vi.restoreAllMocks()
  closed.length = 0
})

async function renderGate() {
  sandbox = await createKitSandbox({ journey: 'new' })
  await serveHostedPages(sandbox)
  const states: KycGateState[] = []
  const opened = vi.spyOn(window, 'open')
  render(
    <StrictMode>
      <ShareflowProvider client={sandbox.client}>
        <KycShareGate openInquiry={openInquiry} onStateChange={(state) => states.push(state)}>
          <p>Cash out</p>
        </KycShareGate>
      </ShareflowProvider>
    </StrictMode>,
  )
  return { sandbox, states, opened }
}

const heading = (name: string) => page.getByRole('heading', { name })
const personaFrame = () => page.getByTitle('Verify your identity')
const persona = () => page.frameLocator(personaFrame())

describe("<KycShareGate openInquiry> with Persona's SDK", () => {
  it('runs Persona’s flow in its modal on this page: the person fills it in and submits, and the gate shares and approves', async () => {
    const { sandbox, states, opened } = await renderGate()
    await userEvent.click(page.getByRole('button', { name: 'Start verification' }))

    // The SDK's modal frames the emulated flow; focus moves into it.
    await expect.element(personaFrame()).toBeVisible()
    await expect.element(page.getByRole('dialog', { name: 'Verify your identity' })).toBeVisible()
    await expect.element(personaFrame()).toHaveFocus()
    const { violations } = await axe.run(document.body)
    expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([])
    await userEvent.fill(persona().getByLabelText('First name'), 'Robin')
    await userEvent.fill(persona().getByLabelText('Last name'), 'Reyes')
    await userEvent.fill(persona().getByLabelText('Date of birth'), '1994-03-17')
    await userEvent.fill(persona().getByLabelText('Street address'), '350 Fifth Avenue')
    await userEvent.fill(persona().getByLabelText('City'), 'New York')
    await userEvent.fill(persona().getByLabelText('State / region'), 'NY')
    await userEvent.fill(persona().getByLabelText('Postal code'), '10118')
    await userEvent.fill(persona().getByLabelText('ID number (US: SSN)'), '123-45-6789')
    await userEvent.click(persona().getByRole('button', { name: 'Submit' }))

    // Persona says `complete` and the modal goes; Persona's webhook reaches the BFF, which tells
    // the page over SSE, and the gate registers the person with Coinflow.
    await expect.element(personaFrame()).not.toBeInTheDocument()
    expect(closed).toEqual(['completed'])
    await sandbox.emulator.flush()
    await expect.element(heading('Coinflow is checking your details')).toBeVisible()
    await sandbox.advance(3_000)
    await expect.element(page.getByText('Cash out')).toBeVisible()
    expect(states).toEqual([
      'loading',
      'start',
      'opening',
      'in_progress',
      'sharing',
      'pending',
      'approved',
    ])
    // No tab or popup: the one-time link is never opened.
    expect(opened).not.toHaveBeenCalled()
    expect(sandbox.requests.filter((r) => r.path === '/kyc/inquiry')).toHaveLength(1)
  })

  it('lets a person leave Persona’s modal and come back to the same inquiry', async () => {
    const { sandbox } = await renderGate()
    await userEvent.click(page.getByRole('button', { name: 'Start verification' }))
    await userEvent.fill(persona().getByLabelText('First name'), 'Robin')
    await userEvent.click(persona().getByRole('button', { name: 'Exit' }))

    await expect.element(personaFrame()).not.toBeInTheDocument()
    expect(closed).toEqual(['exited'])
    await expect.element(heading('Finish verifying with Persona')).toBeVisible()
    const { violations } = await axe.run(document.body)
    expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([])

    await userEvent.click(page.getByRole('button', { name: 'Continue verification' }))
    // The same inquiry's flow again (a frame's content is reached by acting on it, as a person does).
    await expect.element(personaFrame()).toBeVisible()
    await userEvent.fill(persona().getByLabelText('Last name'), 'Reyes')
    const inquiries = sandbox.requests.filter((r) => r.path === '/kyc/inquiry')
    expect(inquiries).toHaveLength(2)
    // The BFF resumed the first inquiry (its session token opens it), not a second one.
    const list = await sandbox.emulator.fetch(
      `https://api.withpersona.com/api/v1/inquiries?filter[reference-id]=${encodeURIComponent(sandbox.user.id)}`,
      { headers: { Authorization: `Bearer ${sandboxCredentials.persona.apiKey}` } },
    )
    expect(((await list.json()) as { data: unknown[] }).data).toHaveLength(1)
  })
})

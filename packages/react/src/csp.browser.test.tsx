import { render } from '@testing-library/react'
import { expect, it } from 'vitest'
import { page, userEvent } from 'vitest/browser'
import { serveHostedPages } from '../sandbox/hosted'
import { createKitSandbox } from '../sandbox/sandbox'
import { KycShareGate, PayoutQuote, ShareflowProvider, WithdrawButton } from './index'

it('needs no inline style or script under a strict Content-Security-Policy', async () => {
  // A policy a host might send, applied to this page from here on: inline style attributes and
  // inline event handlers are refused (the CSSOM, which the kit uses, stays allowed).
  const meta = document.createElement('meta')
  meta.httpEquiv = 'Content-Security-Policy'
  meta.content = "style-src-attr 'none'; script-src-attr 'none'; object-src 'none'"
  document.head.append(meta)
  const violations: string[] = []
  document.addEventListener('securitypolicyviolation', (event) =>
    violations.push(`${event.violatedDirective} ${event.sourceFile}:${event.lineNumber}`),
  )

  const sandbox = await createKitSandbox({ journey: 'verified' })
  await serveHostedPages(sandbox)
  render(
    <ShareflowProvider
      client={sandbox.client}
      appearance={{ theme: 'dark', variables: { colorPrimary: '#7c3aed' } }}
    >
      <KycShareGate>
        <PayoutQuote defaultAmount={40_00} currency="USD" />
        <WithdrawButton amount={{ cents: 40_00, currency: 'USD' }} speed="asap" storage={null} />
      </KycShareGate>
    </ShareflowProvider>,
  )
  await userEvent.click(page.getByRole('button', { name: 'Link a payout account' }))
  await expect.element(page.getByTitle('Link a payout account with Coinflow')).toBeVisible()
  await userEvent.keyboard('{Escape}')
  // The policy is in force: an inline style attribute set now is refused and reported.
  const probe = document.createElement('div')
  probe.setAttribute('style', 'color: red')
  document.body.append(probe)
  await expect.poll(() => violations.some((v) => v.startsWith('style-src-attr'))).toBe(true)
  const before = violations.filter((v) => !v.startsWith('style-src-attr'))
  expect(before).toEqual([])
  expect(violations).toHaveLength(1)
  sandbox.close()
})

import { Window } from 'happy-dom'
import { describe, expect, it } from 'vitest'
import { WITHDRAW_SCRIPT } from './hosted-assets'
import { approvedUser, asUser, createHarness, sharedUsIdentity, type Harness } from './test-harness'

const ORIGIN = 'http://localhost:3000'

async function sessionKey(harness: Harness, userId = 'user-1') {
  const { body } = await harness.call('GET', '/api/auth/session-key', { headers: asUser(userId) })
  return body.key as string
}

function withdrawPath(key: string, extra: Record<string, string> = {}) {
  const query = new URLSearchParams({
    sessionKey: key,
    useHeightChange: 'h42',
    bankAccountLinkRedirect: 'https://host.test/linked',
    ...extra,
  })
  return `/solana/withdraw/shareflow-emulator?${query}`
}

const hosted = (harness: Harness, path: string, init?: RequestInit) =>
  harness.coinflow.hosted.request(`${ORIGIN}${path}`, init)

const postForm = (harness: Harness, path: string, fields: Record<string, string>) =>
  hosted(harness, path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  })

/** The form `action` of one link section, exactly as the page renders it. */
function formAction(page: string, kind: string): string {
  const match = new RegExp(`action="(/solana/withdraw/[^"]*/link/${kind}[^"]*)"`).exec(page)
  return match![1]!.replace(/&#38;/g, '&')
}

/** Loads `html` as if framed at `path` and runs the page script; returns what it posted. */
async function messagesFrom(
  html: string,
  path: string,
  { framed = true, click }: { framed?: boolean; click?: string } = {},
) {
  const window = new Window({
    url: `${ORIGIN}${path}`,
    settings: { disableJavaScriptFileLoading: true, disableCSSFileLoading: true },
  })
  window.document.write(html)
  const posted: Array<{ message: unknown; targetOrigin: string }> = []
  const parent = {
    postMessage: (message: string, targetOrigin: string) => {
      // The SDK drops anything that is not a string before parsing it.
      expect(typeof message).toBe('string')
      posted.push({ message: JSON.parse(message), targetOrigin })
    },
  }
  if (framed) Object.defineProperty(window, 'parent', { value: parent, configurable: true })
  window.eval(WITHDRAW_SCRIPT)
  if (click) (window.document.querySelector(click) as unknown as { click(): void }).click()
  await window.happyDOM.close()
  return posted
}

async function linkedUserPage(harness: Harness) {
  await approvedUser(harness)
  const key = await sessionKey(harness)
  const path = withdrawPath(key)
  const page = await (await hosted(harness, path)).text()
  return { key, path, page }
}

describe('Coinflow emulator: hosted withdraw page', () => {
  it('serves the page for a valid session under a strict CSP, with no inline script or style', async () => {
    const harness = createHarness()
    await approvedUser(harness)
    const response = await hosted(harness, withdrawPath(await sessionKey(harness)))
    expect(response.status).toBe(200)
    const csp = response.headers.get('Content-Security-Policy')!
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("style-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    expect(response.headers.get('Referrer-Policy')).toBe('no-referrer')
    const page = await response.text()
    expect(page).toContain('<script src="/assets/withdraw.js"></script>')
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
    expect(page).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i)
    expect(page).toContain('<link rel="stylesheet" href="/assets/coinflow.css">')
    for (const kind of ['bank', 'card', 'iban', 'pix'])
      expect(page).toContain(`data-kind="${kind}"`)
  })

  it('serves its script and stylesheet from its own origin', async () => {
    const harness = createHarness()
    const script = await hosted(harness, '/assets/withdraw.js')
    expect(script.headers.get('Content-Type')).toMatch(/^text\/javascript/)
    expect(await script.text()).toBe(WITHDRAW_SCRIPT)
    const styles = await hosted(harness, '/assets/coinflow.css')
    expect(styles.headers.get('Content-Type')).toMatch(/^text\/css/)
  })

  it('posts loaded and heightChange:<id> as JSON strings when it loads in a frame', async () => {
    const harness = createHarness()
    const { path, page } = await linkedUserPage(harness)
    const posted = await messagesFrom(page, path)
    expect(posted.map((entry) => entry.message)).toEqual([
      { method: 'loaded', data: '' },
      { method: 'heightChange:h42', data: expect.stringMatching(/^\d+$/) },
    ])
  })

  it('links a US bank account from the form, then posts accountLinked with its token', async () => {
    const harness = createHarness()
    const { path, page } = await linkedUserPage(harness)
    const response = await postForm(harness, formAction(page, 'bank'), {
      routingNumber: '011401533',
      accountNumber: '123456789',
      accountType: 'checking',
      holderName: 'Jane',
      alias: 'Main checking',
    })
    expect(response.status).toBe(303)
    const location = response.headers.get('Location')!
    expect(location.startsWith('/solana/withdraw/shareflow-emulator?')).toBe(true)
    const withdrawer = await harness.call('GET', '/api/withdraw', { headers: asUser('user-1') })
    const token = withdrawer.body.withdrawer.bankAccounts[0].token
    expect(new URL(location, ORIGIN).searchParams.get('token')).toBe(token)

    const linkedPage = await (await hosted(harness, location)).text()
    expect(linkedPage).toContain('Main checking · ••••6789')
    expect(linkedPage).not.toContain('123456789')
    const posted = await messagesFrom(linkedPage, location)
    expect(posted).toContainEqual({
      message: {
        method: 'accountLinked',
        data: 'accountLinked',
        info: { type: 'bank', tokens: [token] },
      },
      targetOrigin: '*',
    })
    expect(path).not.toContain('linked=')
  })

  it('tokenises a card inside the page so the number never reaches the host', async () => {
    const harness = createHarness()
    const { page } = await linkedUserPage(harness)
    const response = await postForm(harness, formAction(page, 'card'), {
      cardNumber: '4169 0500 0000 0004',
      expMonth: '12',
      expYear: '30',
      nameOnCard: 'Jane Doe',
    })
    expect(response.status).toBe(303)
    const location = response.headers.get('Location')!
    const token = new URL(location, ORIGIN).searchParams.get('token')!
    expect(token).toMatch(/^416905[A-Za-z]{6}0004$/)
    const posted = await messagesFrom(await (await hosted(harness, location)).text(), location)
    expect(posted.at(-1)!.message).toEqual({
      method: 'accountLinked',
      data: 'accountLinked',
      info: { type: 'card', tokens: [token] },
    })
    expect(JSON.stringify(posted)).not.toContain('4169050000000004')
  })

  it('posts accountNotLinked (failed) for the ineligible sandbox expiry 01/25, without echoing the card', async () => {
    const harness = createHarness()
    const { path, page } = await linkedUserPage(harness)
    const response = await postForm(harness, formAction(page, 'card'), {
      cardNumber: '4169050000000004',
      expMonth: '01',
      expYear: '25',
      nameOnCard: 'Jane Doe',
    })
    expect(response.status).toBe(400)
    const failedPage = await response.text()
    expect(failedPage).not.toContain('4169050000000004')
    expect(failedPage).toContain('not eligible')
    const posted = await messagesFrom(failedPage, path)
    expect(posted.at(-1)!.message).toEqual({
      method: 'accountNotLinked',
      data: 'accountNotLinked',
      info: { type: 'card', reason: 'failed' },
    })
  })

  it('keeps the IBAN form open with an inputError when a BIC is required (426)', async () => {
    const harness = createHarness()
    const { path, page } = await linkedUserPage(harness)
    const response = await postForm(harness, formAction(page, 'iban'), {
      number: 'TR330006100519786457841326',
      accountHolder: 'Jane Doe',
    })
    expect(response.status).toBe(426)
    const retryPage = await response.text()
    expect(retryPage).toContain('<details open data-kind="iban">')
    expect(retryPage).toContain('value="TR330006100519786457841326"')
    const posted = await messagesFrom(retryPage, path)
    expect(posted.at(-1)!.message).toEqual({
      method: 'inputError',
      data: 'inputError',
      info: { type: 'iban', message: 'BIC required' },
    })
  })

  it('links a PIX key', async () => {
    const harness = createHarness()
    const { page } = await linkedUserPage(harness)
    const response = await postForm(harness, formAction(page, 'pix'), { pixKey: '40882598074' })
    expect(response.status).toBe(303)
    const withdrawer = await harness.call('GET', '/api/withdraw', { headers: asUser('user-1') })
    expect(withdrawer.body.withdrawer.pixes).toHaveLength(1)
  })

  it('posts accountNotLinked (canceled) when the person cancels', async () => {
    const harness = createHarness()
    const { path, page } = await linkedUserPage(harness)
    const posted = await messagesFrom(page, path, { click: '[data-cancel="iban"]' })
    expect(posted.at(-1)!.message).toEqual({
      method: 'accountNotLinked',
      data: 'accountNotLinked',
      info: { type: 'iban', reason: 'canceled' },
    })
  })

  it('posts nothing when opened top-level with no opener', async () => {
    const harness = createHarness()
    const { path, page } = await linkedUserPage(harness)
    expect(await messagesFrom(page, path, { framed: false })).toEqual([])
  })

  it('refuses a missing or expired session key and an unknown merchant', async () => {
    const harness = createHarness({ sessionKeyTtlSeconds: 60 })
    await approvedUser(harness)
    const key = await sessionKey(harness)
    expect((await hosted(harness, '/solana/withdraw/shareflow-emulator')).status).toBe(401)
    expect(
      (await hosted(harness, withdrawPath(key).replace('shareflow-emulator', 'other'))).status,
    ).toBe(404)
    await harness.advance(60_000)
    const expired = await hosted(harness, withdrawPath(key))
    expect(expired.status).toBe(401)
    expect(await expired.text()).toContain('Session expired')
    const link = await postForm(
      harness,
      `/solana/withdraw/shareflow-emulator/link/pix?sessionKey=${key}`,
      {
        pixKey: '40882598074',
      },
    )
    expect(link.status).toBe(401)
  })

  it('shows where the person stands while their identity is not approved', async () => {
    const harness = createHarness()
    const unregistered = await hosted(harness, withdrawPath(await sessionKey(harness, 'new-user')))
    expect(unregistered.status).toBe(403)
    await harness.call('POST', '/api/withdraw/kyc/share-token', {
      headers: asUser('user-1'),
      json: {
        vendor: 'persona',
        shareToken: harness.persona.share(sharedUsIdentity({ addressStreet1: null })),
        email: 'jane@example.com',
      },
    })
    const key = await sessionKey(harness)
    expect(await (await hosted(harness, withdrawPath(key))).text()).toContain(
      'Reviewing your identity',
    )
    await harness.advance(3_000)
    const needsMore = await (await hosted(harness, withdrawPath(key))).text()
    expect(needsMore).toMatch(/href="http:\/\/localhost:3000\/verification\/\w+"/)
  })
})

describe('Coinflow emulator: hosted verification page', () => {
  async function needsDetails(harness: Harness) {
    await harness.call('POST', '/api/withdraw/kyc/share-token', {
      headers: asUser('user-1'),
      json: {
        vendor: 'persona',
        shareToken: harness.persona.share(
          sharedUsIdentity({ addressStreet1: null, addressCity: null }),
        ),
        email: 'jane@example.com',
      },
    })
    await harness.advance(3_000)
    const { body } = await harness.call(
      'GET',
      '/api/withdraw?redirectLink=https%3A%2F%2Fhost.test%2Fverified',
      {
        headers: asUser('user-1'),
      },
    )
    return new URL(body.verificationLink as string).pathname
  }

  const details = {
    firstName: 'Jane',
    lastName: 'Doe',
    dob: '1990-04-12',
    address1: '1 Main St',
    city: 'Austin',
    state: 'TX',
    zip: '78701',
    country: 'US',
    ssnLast4: '1234',
  }

  it('shows a form prefilled with what Coinflow already knows, under a CSP with no script', async () => {
    const harness = createHarness()
    const path = await needsDetails(harness)
    const response = await hosted(harness, path)
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Security-Policy')).toContain("default-src 'none'")
    const page = await response.text()
    expect(page).toContain('value="Jane"')
    expect(page).not.toContain('<script')
  })

  it('approves the withdrawer, raises KYC Success and returns the person to the redirectLink', async () => {
    const harness = createHarness()
    const path = await needsDetails(harness)
    const response = await postForm(harness, path, details)
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe('https://host.test/verified')
    expect(harness.webhookEvents().at(-1)?.eventType).toBe('KYC Success')
    const withdrawer = await harness.call('GET', '/api/withdraw', { headers: asUser('user-1') })
    expect(withdrawer.status).toBe(200)
    expect(await (await hosted(harness, path)).text()).toContain('You are verified')
  })

  it('rejects the sandbox values and says so (KYC Failure)', async () => {
    const harness = createHarness()
    const path = await needsDetails(harness)
    const response = await postForm(harness, path, { ...details, ssnLast4: '9999', zip: '99999' })
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe(path)
    expect(await (await hosted(harness, path)).text()).toContain('Verification failed')
    expect(harness.webhookEvents().at(-1)?.eventType).toBe('KYC Failure')
  })

  it('asks again for missing fields without approving', async () => {
    const harness = createHarness()
    const path = await needsDetails(harness)
    const response = await postForm(harness, path, { ...details, dob: '' })
    expect(response.status).toBe(400)
    expect(await response.text()).toContain('Enter your date of birth.')
    const withdrawer = await harness.call('GET', '/api/withdraw', { headers: asUser('user-1') })
    expect(withdrawer.status).toBe(451)
  })

  it('asks a non-US person for an identity document', async () => {
    const harness = createHarness()
    const { body } = await harness.call('POST', '/api/withdraw/kyc', {
      headers: asUser('user-9'),
      json: { email: 'ana@example.com', country: 'BR' },
    })
    const path = new URL(body.verificationLink).pathname
    const page = await (await hosted(harness, path)).text()
    expect(page).toContain('enctype="multipart/form-data"')
    expect(page).toContain('name="documentType"')
    expect(page).toMatch(/type="file"[^>]*name="document"[^>]*required/)
    expect(page).toMatch(/type="file"[^>]*name="selfie"[^>]*capture="user"[^>]*required/)
    const fields = { ...details, country: 'BR', ssnLast4: '', documentType: 'PASSPORT' }
    const withdrawer = async () =>
      (await harness.call('GET', '/api/withdraw', { headers: asUser('user-9') })).status

    // A form submit alone no longer approves: the document and the selfie are asked for.
    const noUpload = await postForm(harness, path, fields)
    expect(noUpload.status).toBe(400)
    expect(await noUpload.text()).toContain('Upload a photo of your identity document.')
    const form = new FormData()
    for (const [name, value] of Object.entries(fields)) form.set(name, value)
    form.set('document', new File([new Uint8Array([0xff, 0xd8, 0xff])], 'passport.jpg'))
    const noSelfie = await hosted(harness, path, { method: 'POST', body: form })
    expect(noSelfie.status).toBe(400)
    expect(await noSelfie.text()).toContain('Take a selfie.')
    expect(await withdrawer()).toBe(451)

    form.set('selfie', new File([new Uint8Array([0xff, 0xd8, 0xff])], 'selfie.jpg'))
    const response = await hosted(harness, path, { method: 'POST', body: form })
    expect(response.status).toBe(303)
    expect(await withdrawer()).toBe(200)
  })

  it('answers 404 for an unknown link', async () => {
    const harness = createHarness()
    expect((await hosted(harness, '/verification/nope')).status).toBe(404)
    expect((await postForm(harness, '/verification/nope', details)).status).toBe(404)
  })
})

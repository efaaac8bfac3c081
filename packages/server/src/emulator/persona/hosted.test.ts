import { afterEach, describe, expect, it } from 'vitest'
import { createHarness, janeDoe, type Harness } from './test-harness'

let harness: Harness
afterEach(() => harness?.emulator.close())

const person = { ...janeDoe, 'address-country-code': 'us', 'identification-number': '123-45-6789' }

const statusOf = (html: string) => /data-inquiry-status="([^"]+)"/.exec(html)?.[1]
const hidden = (html: string, name: string) =>
  new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1]

async function openLink(link: string) {
  const url = new URL(link)
  const response = await harness.emulator.hosted.request(
    `http://localhost:3000${url.pathname}${url.search}`,
  )
  return { response, html: await response.text() }
}

async function submit(form: Record<string, string>) {
  const response = await harness.emulator.hosted.request('http://localhost:3000/persona/verify', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  })
  return { response, html: await response.text() }
}

async function linkFor(attributes: Record<string, unknown> = {}) {
  const id = await harness.createInquiry(attributes)
  const { body } = await harness.call('POST', `/api/v1/inquiries/${id}/generate-one-time-link`)
  return {
    id,
    link: body.meta['one-time-link'] as string,
    short: body.meta['one-time-link-short'] as string,
  }
}

const inquiryStatus = async (id: string) =>
  (await harness.call('GET', `/api/v1/inquiries/${id}`)).body.data.attributes.status

describe('Persona emulator: the hosted inquiry flow', () => {
  it('opens from a one-time link, starts the inquiry and completes it on submit', async () => {
    harness = createHarness()
    const { id, link } = await linkFor({ 'redirect-uri': 'https://host.test/kyc/done' })
    const opened = await openLink(link)
    expect(opened.response.status).toBe(200)
    expect(opened.response.headers.get('Content-Security-Policy')).toContain("default-src 'none'")
    expect(opened.html).not.toContain('<script')
    expect(opened.html).toContain('<label for="name-first">First name</label>')
    expect(await inquiryStatus(id)).toBe('pending')

    const done = await submit({
      ...person,
      'inquiry-id': hidden(opened.html, 'inquiry-id')!,
      'session-token': hidden(opened.html, 'session-token')!,
      action: 'submit',
    })
    expect(done.response.status).toBe(200)
    expect(statusOf(done.html)).toBe('completed')
    expect(done.html).toContain(
      `href="https://host.test/kyc/done?inquiry-id=${id}&#38;status=completed"`,
    )
    const { body } = await harness.call('GET', `/api/v1/inquiries/${id}`)
    expect(body.data.attributes.status).toBe('completed')
    expect(body.data.attributes.fields['address-country-code'].value).toBe('US')
    expect(body.data.attributes.fields['identification-number'].value).toBe('123-45-6789')
    expect((await harness.eventNames()).slice(-2)).toEqual(['inquiry.started', 'inquiry.completed'])
  })

  it('works once: the same link cannot be opened again, and the short link redirects', async () => {
    harness = createHarness()
    const { link, short } = await linkFor()
    const shortPath = new URL(short).pathname
    const redirect = await harness.emulator.hosted.request(`http://localhost:3000${shortPath}`)
    expect(redirect.status).toBe(302)
    expect(redirect.headers.get('Location')).toBe(
      `/persona/verify?code=${shortPath.split('/').pop()}`,
    )
    expect((await openLink(link)).response.status).toBe(200)
    const reused = await openLink(link)
    expect(reused.response.status).toBe(410)
    expect(reused.html).toContain('already been used')
    expect((await openLink('http://localhost:3000/persona/verify?code=nope')).response.status).toBe(
      404,
    )
  })

  it('refuses an expired link', async () => {
    harness = createHarness()
    const id = await harness.createInquiry()
    const { body } = await harness.call('POST', `/api/v1/inquiries/${id}/generate-one-time-link`, {
      json: { meta: { 'expires-in-seconds': 60 } },
    })
    harness.clock.advance(60_000)
    const expired = await openLink(body.meta['one-time-link'])
    expect(expired.response.status).toBe(410)
    expect(expired.html).toContain('expired')
  })

  it('lets a person fail the document check or leave, and come back with a session token', async () => {
    harness = createHarness()
    const { id, link } = await linkFor()
    const opened = await openLink(link)
    const session = { 'inquiry-id': id, 'session-token': hidden(opened.html, 'session-token')! }
    const left = await submit({ ...session, action: 'exit' })
    expect(statusOf(left.html)).toBe('pending')
    expect(left.html).toContain('Verification paused')

    const resumed = await harness.call('POST', `/api/v1/inquiries/${id}/resume`)
    const back = await openLink(
      `http://localhost:3000/persona/verify?inquiry-id=${id}&session-token=${resumed.body.meta['session-token']}`,
    )
    expect(back.response.status).toBe(200)
    const failed = await submit({
      ...person,
      ...session,
      'sandbox-outcome': 'fail',
      action: 'submit',
    })
    expect(statusOf(failed.html)).toBe('failed')
    expect(await inquiryStatus(id)).toBe('failed')
  })

  it('shows the form again with messages when required answers are missing', async () => {
    harness = createHarness()
    const { id, link } = await linkFor()
    const opened = await openLink(link)
    const invalid = await submit({
      ...person,
      'name-last': '',
      birthdate: 'yesterday',
      'address-country-code': 'USA',
      'inquiry-id': id,
      'session-token': hidden(opened.html, 'session-token')!,
      action: 'submit',
    })
    expect(invalid.response.status).toBe(422)
    expect(invalid.html).toContain('Last name is required.')
    expect(invalid.html).toContain('Date of birth must be a date (YYYY-MM-DD).')
    expect(invalid.html).toContain('Country must be a two-letter ISO code, such as US.')
    expect(invalid.html).toContain('value="Jane"')
    // The ID number is asked for again rather than written back into the page.
    expect(invalid.html).not.toContain('123-45-6789')
    expect(await inquiryStatus(id)).toBe('pending')
  })

  it('escapes what a person typed', async () => {
    harness = createHarness()
    const { id, link } = await linkFor()
    const opened = await openLink(link)
    const echoed = await submit({
      'name-first': '<img src=x onerror=alert(1)>',
      'inquiry-id': id,
      'session-token': hidden(opened.html, 'session-token')!,
      action: 'submit',
    })
    expect(echoed.html).not.toContain('<img src=x')
    expect(echoed.html).toContain('&#60;img src=x onerror=alert(1)&#62;')
  })

  it.each([
    ['Fail', 'failed'],
    ['Expire', 'expired'],
    ['Decline', 'declined'],
    ['Review', 'needs_review'],
  ])('follows the magic last name %s to %s', async (lastName, expected) => {
    harness = createHarness()
    const { id, link } = await linkFor()
    const opened = await openLink(link)
    const result = await submit({
      ...person,
      'name-last': lastName,
      'inquiry-id': id,
      'session-token': hidden(opened.html, 'session-token')!,
      action: 'submit',
    })
    expect(statusOf(result.html)).toBe(expected)
    expect(await inquiryStatus(id)).toBe(expected)
  })

  it('loses the street address for the magic last name Noaddress', async () => {
    harness = createHarness()
    const { id, link } = await linkFor()
    const opened = await openLink(link)
    await submit({
      ...person,
      'name-last': 'Noaddress',
      'inquiry-id': id,
      'session-token': hidden(opened.html, 'session-token')!,
      action: 'submit',
    })
    const { body } = await harness.call('GET', `/api/v1/inquiries/${id}`)
    expect(body.data.attributes.status).toBe('completed')
    expect(body.data.attributes.fields['address-street-1'].value).toBeNull()
    expect(body.data.attributes.fields['address-postal-code'].value).toBeNull()
    expect(body.data.attributes.fields['address-country-code'].value).toBe('US')
  })

  it('opens a created inquiry by id alone, but a started one only with its session', async () => {
    harness = createHarness()
    const id = await harness.createInquiry()
    const byId = await openLink(`http://localhost:3000/persona/verify?inquiry-id=${id}`)
    expect(byId.response.status).toBe(200)
    const again = await openLink(`http://localhost:3000/persona/verify?inquiry-id=${id}`)
    expect(again.response.status).toBe(401)
    const forged = await submit({
      ...person,
      'inquiry-id': id,
      'session-token': 'forged',
      action: 'submit',
    })
    expect(forged.response.status).toBe(401)
    expect(await inquiryStatus(id)).toBe('pending')
  })

  it('serves its stylesheet from its own origin', async () => {
    harness = createHarness()
    const css = await harness.emulator.hosted.request('http://localhost:3000/persona/flow.css')
    expect(css.headers.get('Content-Type')).toContain('text/css')
  })
})

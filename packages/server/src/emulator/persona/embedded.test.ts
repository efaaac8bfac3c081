import { afterEach, describe, expect, it } from 'vitest'
import { createHarness, janeDoe, type Harness } from './test-harness'

let harness: Harness
afterEach(() => harness?.emulator.close())

const EMBEDDER = 'http://localhost:5173'

/** The query Persona's SDK (5.9.0) builds for `new Client({ inquiryId, sessionToken, host })`. */
function widgetQuery(extra: Record<string, string>) {
  return new URLSearchParams({
    'client-version': '5.9.0',
    'container-id': 'persona-widget-abc',
    'flow-type': 'embedded',
    'iframe-origin': EMBEDDER,
    ...extra,
  })
}

async function widget(extra: Record<string, string>) {
  const response = await harness.emulator.hosted.request(
    `http://localhost:3000/widget?${widgetQuery(extra)}`,
  )
  return { response, html: await response.text() }
}

const data = (html: string, name: string) =>
  new RegExp(`data-${name}="([^"]*)"`).exec(html)?.[1]?.replaceAll('&#34;', '"')

async function startedInquiry() {
  const id = await harness.createInquiry()
  const { body } = await harness.call('POST', `/api/v1/inquiries/${id}/resume`)
  return { id, token: body.meta['session-token'] as string }
}

describe("Persona emulator: the page Persona's SDK frames", () => {
  it('opens the inquiry for the SDK, framed only by the page that asked, and completes it on submit', async () => {
    harness = createHarness()
    const { id, token } = await startedInquiry()
    const opened = await widget({
      'inquiry-id': id,
      'session-token': token,
      'frame-ancestors[0]': 'https://parent.test',
    })
    expect(opened.response.status).toBe(200)
    const policy = opened.response.headers.get('Content-Security-Policy')
    expect(policy).toContain("script-src 'self'")
    expect(policy).toContain(`frame-ancestors ${EMBEDDER} https://parent.test`)
    // The messages go to the embedding page alone, named by the SDK's container id.
    expect(data(opened.html, 'target-origin')).toBe(EMBEDDER)
    expect(data(opened.html, 'container-id')).toBe('persona-widget-abc')
    expect(data(opened.html, 'event')).toBe('ready')
    expect(opened.html).toContain('action="/widget"')

    const submitted = await harness.emulator.hosted.request('http://localhost:3000/widget', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        ...Object.fromEntries(widgetQuery({})),
        ...janeDoe,
        'address-country-code': 'US',
        'identification-number': '123-45-6789',
        'inquiry-id': id,
        'session-token': token,
        action: 'submit',
      }).toString(),
    })
    const html = await submitted.text()
    expect(data(html, 'event')).toBe('complete')
    expect(JSON.parse(data(html, 'metadata')!)).toMatchObject({
      inquiryId: id,
      status: 'completed',
    })
    expect(data(html, 'target-origin')).toBe(EMBEDDER)
    // The answers go to the embedding page's scripts; the SSN does not.
    expect(html).not.toContain('123-45-6789')
  })

  it('tells the SDK it cannot start: no inquiry id (invalid_config), another inquiry’s token (unauthenticated)', async () => {
    harness = createHarness()
    const fromTemplate = await widget({ 'inquiry-template-id': 'itmpl_x' })
    expect(fromTemplate.response.status).toBe(400)
    expect(JSON.parse(data(fromTemplate.html, 'error')!)).toMatchObject({ code: 'invalid_config' })

    const { id } = await startedInquiry()
    const other = await startedInquiry()
    const wrongToken = await widget({ 'inquiry-id': id, 'session-token': other.token })
    expect(wrongToken.response.status).toBe(409)
    expect(JSON.parse(data(wrongToken.html, 'error')!)).toMatchObject({ code: 'unauthenticated' })
  })

  it('refuses to be framed for a page that names no origin to answer', async () => {
    harness = createHarness()
    const { id, token } = await startedInquiry()
    const response = await harness.emulator.hosted.request(
      `http://localhost:3000/widget?inquiry-id=${id}&session-token=${token}&iframe-origin=*`,
    )
    expect(response.status).toBe(400)
    expect(response.headers.get('Content-Security-Policy')).toContain("frame-ancestors 'none'")
    expect(await response.text()).not.toContain('data-target-origin')
  })
})

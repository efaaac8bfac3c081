/**
 * @module
 * The hosted inquiry flow a one-time link opens: a plain HTML form a person (or Playwright) can
 * complete, fail or leave. Plain form POSTs and one stylesheet, no script, so it works under a
 * strict Content-Security-Policy and without JavaScript.
 *
 * Routes (on the hosted-pages origin):
 * - `GET /persona/verify?code=…`: a one-time link; it works once and starts the inquiry.
 * - `GET /persona/v/:code`: the short form of the same link.
 * - `GET /persona/verify?inquiry-id=…[&session-token=…]`: a `created` inquiry opens with its id
 *   alone; a started one needs the session token from `/resume`.
 * - `POST /persona/verify`: submits (`action=submit`) or leaves (`action=exit`) the flow.
 */
import { Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { escapeHtml } from '../html'
import { applyAddressMagic, magicLastNames, submissionOutcome } from './magic'
import { wrapField, type FieldValue, type InquiryRecord, type InquirySession } from './records'
import type { PersonaState } from './state'

const contentSecurityPolicy =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'"

const stylesheet = `
body { font-family: system-ui, sans-serif; margin: 0; background: #f5f5f7; color: #1d1d1f; }
main { max-width: 32rem; margin: 2rem auto; background: #fff; padding: 2rem; border-radius: 12px; }
h1 { font-size: 1.4rem; margin-top: 0; }
label { display: block; margin-top: 0.9rem; font-weight: 600; font-size: 0.9rem; }
input, select { display: block; width: 100%; box-sizing: border-box; padding: 0.55rem; margin-top: 0.3rem;
  border: 1px solid #c7c7cc; border-radius: 8px; font: inherit; }
fieldset { border: 1px solid #e5e5ea; border-radius: 8px; margin-top: 1rem; }
fieldset label { display: inline; font-weight: normal; }
fieldset input { display: inline; width: auto; }
.actions { display: flex; gap: 0.75rem; margin-top: 1.5rem; }
button { padding: 0.65rem 1.2rem; border-radius: 8px; border: 0; font: inherit; cursor: pointer; }
button[value=submit] { background: #3b5bdb; color: #fff; }
button[value=exit] { background: #e5e5ea; }
.errors { background: #fff0f0; border: 1px solid #ffa8a8; padding: 0.75rem 1rem; border-radius: 8px; }
.hint { color: #6e6e73; font-size: 0.85rem; }
`

export interface FormValues {
  [name: string]: string
}

const formFields: Array<{
  name: string
  label: string
  type?: string
  autocomplete: string
  required?: boolean
  /** Never written back into a page: a form sent back with errors asks for it again. */
  sensitive?: boolean
}> = [
  { name: 'name-first', label: 'First name', autocomplete: 'given-name', required: true },
  { name: 'name-last', label: 'Last name', autocomplete: 'family-name', required: true },
  { name: 'birthdate', label: 'Date of birth', type: 'date', autocomplete: 'bday', required: true },
  { name: 'email-address', label: 'Email', type: 'email', autocomplete: 'email' },
  { name: 'address-street-1', label: 'Street address', autocomplete: 'address-line1' },
  { name: 'address-city', label: 'City', autocomplete: 'address-level2' },
  { name: 'address-subdivision', label: 'State / region', autocomplete: 'address-level1' },
  { name: 'address-postal-code', label: 'Postal code', autocomplete: 'postal-code' },
  {
    name: 'address-country-code',
    label: 'Country (ISO code, e.g. US)',
    autocomplete: 'country',
    required: true,
  },
  {
    name: 'identification-number',
    label: 'ID number (US: SSN)',
    autocomplete: 'off',
    sensitive: true,
  },
]

/** What a page of the flow adds when it is framed (`embedded.ts`): a script and its data. */
export interface PageExtras {
  /** Markup for the end of `<head>`. */
  head?: string
  /** More `data-*` attributes of `<main>`, already escaped. */
  attributes?: string
}

export function page(title: string, body: string, status: string, extras: PageExtras = {}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Persona (emulated)</title>
<link rel="stylesheet" href="/persona/flow.css">${extras.head ?? ''}
</head>
<body>
<main data-inquiry-status="${escapeHtml(status)}"${extras.attributes ?? ''}>
${body}
</main>
</body>
</html>`
}

/** Where the form posts and what it carries besides the person's answers. */
export interface FormTarget {
  action: string
  /** Hidden fields, e.g. the SDK's container id. */
  hidden?: Record<string, string>
  extras?: PageExtras
}

const hostedTarget: FormTarget = { action: '/persona/verify' }

export function flowForm(
  inquiry: InquiryRecord,
  session: InquirySession,
  values: FormValues,
  errors: string[],
  target: FormTarget = hostedTarget,
): string {
  const inputs = formFields
    .map(({ name, label, type = 'text', autocomplete, required, sensitive }) => {
      const value = sensitive ? '' : (values[name] ?? '')
      return `<label for="${name}">${escapeHtml(label)}${required ? '' : ' <span class="hint">(optional)</span>'}</label>
<input id="${name}" name="${name}" type="${type}" autocomplete="${autocomplete}" value="${escapeHtml(value)}"${required ? ' required' : ''}>`
    })
    .join('\n')
  const errorList =
    errors.length === 0
      ? ''
      : `<div class="errors" role="alert"><ul>${errors.map((error) => `<li>${escapeHtml(error)}</li>`).join('')}</ul></div>`
  return page(
    'Verify your identity',
    `<h1>Verify your identity</h1>
<p class="hint">Emulated Persona sandbox. Magic last names: ${Object.values(magicLastNames).join(', ')}.</p>
${errorList}
<form method="post" action="${escapeHtml(target.action)}">
<input type="hidden" name="inquiry-id" value="${escapeHtml(inquiry.id)}">
<input type="hidden" name="session-token" value="${escapeHtml(session.token)}">
${Object.entries(target.hidden ?? {})
  .map(
    ([name, value]) =>
      `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`,
  )
  .join('\n')}
${inputs}
<fieldset>
<legend>Sandbox: result of the document check</legend>
<input type="radio" id="outcome-pass" name="sandbox-outcome" value="pass"${values['sandbox-outcome'] === 'fail' ? '' : ' checked'}>
<label for="outcome-pass">Pass</label>
<input type="radio" id="outcome-fail" name="sandbox-outcome" value="fail"${values['sandbox-outcome'] === 'fail' ? ' checked' : ''}>
<label for="outcome-fail">Fail</label>
</fieldset>
<div class="actions">
<button type="submit" name="action" value="submit">Submit</button>
<button type="submit" name="action" value="exit" formnovalidate>Exit</button>
</div>
</form>`,
    inquiry.status,
    target.extras,
  )
}

const outcomes: Record<string, { title: string; text: string }> = {
  completed: {
    title: 'Verification complete',
    text: 'Thank you. Your identity check is complete.',
  },
  approved: { title: 'Verification approved', text: 'Your identity has been verified.' },
  declined: { title: 'Verification declined', text: 'We could not verify your identity.' },
  needs_review: { title: 'Verification in review', text: 'Your submission is being reviewed.' },
  failed: { title: 'Verification failed', text: 'We could not verify your identity.' },
  expired: {
    title: 'Verification expired',
    text: 'This verification has expired. Ask for a new link to continue.',
  },
  pending: {
    title: 'Verification paused',
    text: 'You left before finishing. You can continue later.',
  },
}

export function resultPage(inquiry: InquiryRecord, extras?: PageExtras): string {
  const outcome = outcomes[inquiry.status] ?? {
    title: 'Verification',
    text: `Status: ${inquiry.status}`,
  }
  let back = ''
  if (inquiry.redirectUri) {
    try {
      const url = new URL(inquiry.redirectUri)
      url.searchParams.set('inquiry-id', inquiry.id)
      url.searchParams.set('status', inquiry.status)
      if (inquiry.referenceId !== null) url.searchParams.set('reference-id', inquiry.referenceId)
      back = `<p><a href="${escapeHtml(url.toString())}">Continue</a></p>`
    } catch {
      // A redirect-uri that is not a URL gets no link.
    }
  }
  return page(
    outcome.title,
    `<h1>${escapeHtml(outcome.title)}</h1>
<p>${escapeHtml(outcome.text)}</p>
<p class="hint">Inquiry ${escapeHtml(inquiry.id)} is <strong>${escapeHtml(inquiry.status)}</strong>.</p>
${back}`,
    inquiry.status,
    extras,
  )
}

export const problemPage = (title: string, text: string, extras?: PageExtras) =>
  page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>`, 'unavailable', extras)

function validate(values: FormValues): string[] {
  const errors: string[] = []
  for (const field of formFields) {
    if (field.required && !values[field.name]?.trim()) errors.push(`${field.label} is required.`)
  }
  const birthdate = values.birthdate?.trim()
  if (
    birthdate &&
    (!/^\d{4}-\d{2}-\d{2}$/.test(birthdate) || Number.isNaN(Date.parse(birthdate)))
  ) {
    errors.push('Date of birth must be a date (YYYY-MM-DD).')
  }
  const country = values['address-country-code']?.trim()
  if (country && !/^[A-Za-z]{2}$/.test(country))
    errors.push('Country must be a two-letter ISO code, such as US.')
  return errors
}

/** The form as posted: every string field by name. */
export async function formValues(request: Request): Promise<FormValues> {
  const form = await request
    .formData()
    .then((data) => Object.fromEntries(data))
    .catch(() => ({}) as Record<string, unknown>)
  const values: FormValues = {}
  for (const [name, value] of Object.entries(form))
    if (typeof value === 'string') values[name] = value
  return values
}

/** What a posted form did to its inquiry, for the hosted and the embedded flow alike. */
export type FlowSubmission =
  | { kind: 'no_session' }
  /** Already finished (or expired): nothing changed. */
  | { kind: 'not_pending'; inquiry: InquiryRecord; session: InquirySession }
  | { kind: 'exited'; inquiry: InquiryRecord; session: InquirySession }
  | {
      kind: 'invalid'
      inquiry: InquiryRecord
      session: InquirySession
      values: FormValues
      errors: string[]
    }
  | { kind: 'finished'; inquiry: InquiryRecord; session: InquirySession }

export async function submitFlow(state: PersonaState, values: FormValues): Promise<FlowSubmission> {
  await state.settleDue()
  const inquiry = state.inquiries.get(values['inquiry-id'] ?? '')
  const session = inquiry ? state.sessionByToken(inquiry, values['session-token'] ?? '') : undefined
  if (!inquiry || !session) return { kind: 'no_session' }
  if (inquiry.status !== 'pending') return { kind: 'not_pending', inquiry, session }
  if (values.action === 'exit') return { kind: 'exited', inquiry, session }

  const errors = validate(values)
  if (errors.length > 0) return { kind: 'invalid', inquiry, session, values, errors }

  const collected: Record<string, FieldValue> = {}
  for (const { name } of formFields) {
    const value = values[name]?.trim()
    collected[name] = wrapField(
      name,
      value ? (name === 'address-country-code' ? value.toUpperCase() : value) : null,
    )
  }
  inquiry.fields = { ...inquiry.fields, ...applyAddressMagic(collected) }
  const outcome = values['sandbox-outcome'] === 'fail' ? 'fail' : submissionOutcome(inquiry.fields)
  if (outcome === 'fail') await state.failInquiry(inquiry)
  else if (outcome === 'expire') await state.expireInquiry(inquiry)
  else await state.completeInquiry(inquiry)
  return { kind: 'finished', inquiry, session }
}

export function personaHostedFlow(state: PersonaState): Hono {
  const app = new Hono()

  const html = (body: string, status: ContentfulStatusCode = 200) =>
    new Response(body, {
      status,
      headers: {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': contentSecurityPolicy,
        'Cache-Control': 'no-store',
        'Referrer-Policy': 'no-referrer',
      },
    })

  const prefilled = (inquiry: InquiryRecord): FormValues => {
    const values: FormValues = {}
    for (const { name } of formFields) {
      const value = inquiry.fields[name]?.value
      if (typeof value === 'string') values[name] = value
    }
    values['address-country-code'] ??= 'US'
    return values
  }

  /** Opens the flow for a session: the inquiry starts (created → pending) when a person arrives. */
  const open = async (inquiry: InquiryRecord, session: InquirySession) => {
    if (inquiry.redactedAt !== null || !['created', 'pending'].includes(inquiry.status)) {
      return html(resultPage(inquiry))
    }
    session.status = 'active'
    await state.startInquiry(inquiry)
    return html(flowForm(inquiry, session, prefilled(inquiry), []))
  }

  app.get(
    '/persona/flow.css',
    () => new Response(stylesheet, { headers: { 'Content-Type': 'text/css; charset=utf-8' } }),
  )

  app.get('/persona/v/:code', (c) =>
    c.redirect(`/persona/verify?code=${encodeURIComponent(c.req.param('code'))}`, 302),
  )

  app.get('/persona/verify', async (c) => {
    await state.settleDue()
    const now = state.now()
    const code = c.req.query('code')
    if (code !== undefined) {
      const link = state.oneTimeLinks.get(code)
      if (!link)
        return html(problemPage('Link not valid', 'This verification link is not valid.'), 404)
      if (link.usedAt !== null) {
        return html(
          problemPage(
            'Link already used',
            'This one-time link has already been used. Ask for a new one.',
          ),
          410,
        )
      }
      if (link.expiresAt <= now) {
        return html(
          problemPage('Link expired', 'This one-time link has expired. Ask for a new one.'),
          410,
        )
      }
      const inquiry = state.inquiries.get(link.inquiryId)
      const session = inquiry?.sessions.find((candidate) => candidate.id === link.sessionId)
      if (!inquiry || !session)
        return html(problemPage('Link not valid', 'This verification link is not valid.'), 404)
      link.usedAt = now
      return open(inquiry, session)
    }
    const inquiry = state.inquiries.get(c.req.query('inquiry-id') ?? '')
    if (!inquiry)
      return html(
        problemPage('Verification not found', 'There is no verification at this address.'),
        404,
      )
    const token = c.req.query('session-token')
    if (token !== undefined) {
      const session = state.sessionByToken(inquiry, token)
      if (!session)
        return html(problemPage('Session expired', 'This session is no longer valid.'), 401)
      return open(inquiry, session)
    }
    // Anyone with the link may open a created inquiry; a started one needs its session token.
    if (inquiry.status !== 'created') {
      return inquiry.status === 'pending'
        ? html(
            problemPage(
              'Session required',
              'Continue this verification from the link you were given.',
            ),
            401,
          )
        : html(resultPage(inquiry))
    }
    return open(inquiry, state.newSession(inquiry, now))
  })

  app.post('/persona/verify', async (c) => {
    const submitted = await submitFlow(state, await formValues(c.req.raw))
    switch (submitted.kind) {
      case 'no_session':
        return html(
          problemPage('Session expired', 'This session is no longer valid. Ask for a new link.'),
          401,
        )
      case 'not_pending':
        return html(resultPage(submitted.inquiry), 409)
      case 'invalid':
        return html(
          flowForm(submitted.inquiry, submitted.session, submitted.values, submitted.errors),
          422,
        )
      default:
        return html(resultPage(submitted.inquiry))
    }
  })

  return app
}

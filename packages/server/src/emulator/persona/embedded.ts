/**
 * @module
 * Persona's embedded flow as the official `persona` SDK (5.x) frames it: `new Client({ inquiryId,
 * sessionToken, host })` puts an iframe on `<host>/widget?…` in a modal and listens for the
 * flow's `postMessage`s; pointed at the hosted-pages origin (`host: 'localhost:3000'`), it frames
 * this page instead of inquiry.withpersona.com. The protocol, as the SDK's source reads it:
 *
 * - Query: `container-id` (echoed in every message, or the SDK ignores it), `inquiry-id` and
 *   `session-token` (resuming an inquiry the BFF made), `iframe-origin` (the embedding page),
 *   `message-target-origin` (where messages go, when not that), `frame-ancestors[i]`, and
 *   presentation settings (`language`, `style-variant`, …) this page does not use.
 * - Messages to the embedding page, `{ containerId, name, metadata?, error? }`: `load`, then
 *   `ready`; `complete` or `fail` with `{ inquiryId, status, fields }` once the person submits;
 *   `exit` with `{ inquiryId, sessionToken }` when they leave; `error` with `{ status, code }`
 *   when the flow cannot start (`invalid_config`: no inquiry id; `unauthenticated`: a session
 *   token that is not this inquiry's).
 * - Messages from it, `{ action }`: `open`, `exit` (the SDK's `cancel()`: the page answers
 *   `exit`), `destroy`.
 *
 * The form is the hosted flow's (`hosted.ts`) and posts to `/widget` in the frame; a small
 * script of its own origin (`/persona/widget.js`) sends the messages, so the page keeps a strict
 * Content-Security-Policy, with `frame-ancestors` set to the origins the SDK names.
 *
 * Starting from a template (`template-id`, no inquiry) is not emulated: the BFF always creates
 * the inquiry through the API first, with the user's reference id, and only then shows the flow.
 */
import { Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { escapeHtml } from '../html'
import {
  flowForm,
  formValues,
  page,
  problemPage,
  resultPage,
  submitFlow,
  type FormValues,
  type PageExtras,
} from './hosted'
import type { InquiryRecord, InquirySession } from './records'
import type { PersonaState } from './state'

/** Runs in the frame: says to the embedding page what `<main>`'s data attributes say happened. */
const widgetScript = `(() => {
  const main = document.querySelector('main')
  const { containerId, targetOrigin, event, metadata, error, inquiryId, sessionToken, loaded } =
    main.dataset
  const post = (message) => parent.postMessage({ containerId, ...message }, targetOrigin)
  const exit = () => post({ name: 'exit', metadata: { inquiryId, sessionToken } })
  if (loaded === 'true') post({ name: 'load' })
  if (event === 'error') post({ name: 'error', error: JSON.parse(error) })
  else if (event === 'ready') post({ name: 'ready' })
  else if (event === 'exit') exit()
  else if (event) post({ name: event, metadata: JSON.parse(metadata) })
  for (const button of document.querySelectorAll('[data-widget-close]'))
    button.addEventListener('click', exit)
  window.addEventListener('message', (message) => {
    if (message.source === parent && message.origin === targetOrigin && message.data?.action === 'exit')
      exit()
  })
})()
`

/** An origin exactly (`http://localhost:5173`), or `undefined`. */
function originOrUndefined(value: string | undefined): string | undefined {
  if (!value) return undefined
  try {
    const url = new URL(value)
    return url.origin === value ? value : undefined
  } catch {
    return undefined
  }
}

/** Where the frame is: taken from the SDK's query on the first page, then carried in the form. */
interface Embedding {
  containerId: string
  /** Where messages go: `message-target-origin`, else `iframe-origin`. */
  targetOrigin: string
  /** `frame-ancestors` of the page's policy: the embedding page and those the SDK lists. */
  ancestors: string[]
}

function embeddingOf(values: FormValues): Embedding | undefined {
  const frameOrigin = originOrUndefined(values['iframe-origin'])
  const targetOrigin = originOrUndefined(values['message-target-origin']) ?? frameOrigin
  const containerId = values['container-id']
  if (!frameOrigin || !targetOrigin || !containerId) return undefined
  const listed = Object.entries(values)
    .filter(([name]) => name.startsWith('frame-ancestors'))
    .map(([, value]) => originOrUndefined(value))
    .filter((origin): origin is string => origin !== undefined)
  return { containerId, targetOrigin, ancestors: [...new Set([frameOrigin, ...listed])] }
}

/** The SDK's query, carried through the form so the next page still knows its frame. */
const embeddingFields = (values: FormValues): Record<string, string> =>
  Object.fromEntries(
    Object.entries(values).filter(
      ([name]) =>
        name === 'container-id' ||
        name === 'iframe-origin' ||
        name === 'message-target-origin' ||
        name.startsWith('frame-ancestors'),
    ),
  )

type WidgetEvent =
  | { name: 'ready' }
  | { name: 'complete' | 'fail'; metadata: { inquiryId: string; status: string; fields: unknown } }
  | { name: 'exit' }
  | { name: 'error'; error: { status: number; code: string; message: string } }

function extras(
  embedding: Embedding,
  event: WidgetEvent,
  loaded: boolean,
  at?: { inquiry: InquiryRecord; session: InquirySession },
): PageExtras {
  const data: Record<string, string> = {
    'container-id': embedding.containerId,
    'target-origin': embedding.targetOrigin,
    event: event.name,
    loaded: String(loaded),
  }
  if ('metadata' in event) data.metadata = JSON.stringify(event.metadata)
  if ('error' in event) data.error = JSON.stringify(event.error)
  if (at) {
    data['inquiry-id'] = at.inquiry.id
    data['session-token'] = at.session.token
  }
  return {
    head: '\n<script src="/persona/widget.js" defer></script>',
    attributes: Object.entries(data)
      .map(([name, value]) => ` data-${name}="${escapeHtml(value)}"`)
      .join(''),
  }
}

const finishedEvents: Record<string, 'complete' | 'fail'> = {
  completed: 'complete',
  approved: 'complete',
  needs_review: 'complete',
  failed: 'fail',
  declined: 'fail',
}

/** What a finished (or left) inquiry tells the SDK. */
function outcomeOf(inquiry: InquiryRecord): WidgetEvent {
  const name = finishedEvents[inquiry.status]
  if (!name) return { name: 'exit' }
  // Persona sends the inquiry's fields; which ones is not documented. The ID number (an SSN in
  // the US) stays out: the embedding page's scripts have no use for it.
  const { 'identification-number': _idNumber, ...fields } = inquiry.fields
  return { name, metadata: { inquiryId: inquiry.id, status: inquiry.status, fields } }
}

/** A button of the frame's own that leaves the flow (the SDK's modal has none). */
const closeButton = '<p><button type="button" data-widget-close>Close</button></p>'

export function personaEmbeddedFlow(state: PersonaState): Hono {
  const app = new Hono()

  const html = (body: string, embedding: Embedding | undefined, status: ContentfulStatusCode) =>
    new Response(body, {
      status,
      headers: {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors ${embedding ? embedding.ancestors.join(' ') : "'none'"}`,
        'Cache-Control': 'no-store',
        'Referrer-Policy': 'no-referrer',
      },
    })

  const failure = (
    embedding: Embedding,
    status: ContentfulStatusCode,
    error: { status: number; code: string; message: string },
  ) =>
    html(
      problemPage(
        'Verification unavailable',
        error.message,
        extras(embedding, { name: 'error', error }, true),
      ),
      embedding,
      status,
    )

  const result = (
    inquiry: InquiryRecord,
    session: InquirySession,
    embedding: Embedding,
    loaded: boolean,
  ) => {
    const event = outcomeOf(inquiry)
    const shown = resultPage(inquiry, extras(embedding, event, loaded, { inquiry, session }))
    return html(
      event.name === 'exit' ? shown.replace('</main>', `${closeButton}\n</main>`) : shown,
      embedding,
      200,
    )
  }

  const form = (
    inquiry: InquiryRecord,
    session: InquirySession,
    values: FormValues,
    errors: string[],
    embedding: Embedding,
    loaded: boolean,
  ) =>
    flowForm(inquiry, session, values, errors, {
      action: '/widget',
      hidden: embeddingFields(values),
      extras: extras(embedding, { name: 'ready' }, loaded, { inquiry, session }),
    })

  app.get(
    '/persona/widget.js',
    () =>
      new Response(widgetScript, {
        headers: { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' },
      }),
  )

  // `Client.preload()` frames this to warm the browser's cache; there is nothing to warm.
  app.get('/preload', () => html(page('Persona', '', 'preload'), undefined, 200))

  app.get('/widget', async (c) => {
    await state.settleDue()
    const query = c.req.query()
    const embedding = embeddingOf(query)
    if (!embedding) {
      return html(
        problemPage(
          'Verification unavailable',
          'This page is framed by Persona’s SDK: container-id and iframe-origin are required.',
        ),
        undefined,
        400,
      )
    }
    const inquiry = state.inquiries.get(query['inquiry-id'] ?? '')
    if (!inquiry) {
      return failure(embedding, query['inquiry-id'] ? 404 : 400, {
        status: query['inquiry-id'] ? 404 : 400,
        code: query['inquiry-id'] ? 'unknown' : 'invalid_config',
        message: query['inquiry-id']
          ? 'There is no inquiry with this id.'
          : 'The emulator resumes inquiries made through the API: pass inquiryId (and sessionToken).',
      })
    }
    const token = query['session-token']
    const session =
      token === undefined
        ? inquiry.status === 'created'
          ? state.newSession(inquiry, state.now())
          : undefined
        : state.sessionByToken(inquiry, token)
    if (!session) {
      return failure(embedding, 409, {
        status: 409,
        code: 'unauthenticated',
        message: 'This session is no longer valid.',
      })
    }
    if (inquiry.redactedAt !== null || !['created', 'pending'].includes(inquiry.status)) {
      return result(inquiry, session, embedding, true)
    }
    session.status = 'active'
    await state.startInquiry(inquiry)
    const values: FormValues = { ...embeddingFields(query) }
    for (const [name, field] of Object.entries(inquiry.fields)) {
      if (typeof field?.value === 'string') values[name] = field.value
    }
    values['address-country-code'] ??= 'US'
    return html(form(inquiry, session, values, [], embedding, true), embedding, 200)
  })

  app.post('/widget', async (c) => {
    const values = await formValues(c.req.raw)
    const embedding = embeddingOf(values)
    if (!embedding) {
      return html(
        problemPage('Verification unavailable', 'This form lost the frame it was shown in.'),
        undefined,
        400,
      )
    }
    const submitted = await submitFlow(state, values)
    switch (submitted.kind) {
      case 'no_session':
        return failure(embedding, 401, {
          status: 409,
          code: 'unauthenticated',
          message: 'This session is no longer valid.',
        })
      case 'invalid':
        return html(
          form(submitted.inquiry, submitted.session, values, submitted.errors, embedding, false),
          embedding,
          422,
        )
      default:
        return result(submitted.inquiry, submitted.session, embedding, false)
    }
  })

  return app
}

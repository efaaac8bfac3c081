import { Hono, type Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { escapeHtml } from '../html'
import { HOSTED_STYLES, WITHDRAW_SCRIPT } from './hosted-assets'
import type { AccountKind, PayoutAccount, Withdrawer } from './records'
import type { Scheduler } from './scheduler'
import { CoinflowError, type CoinflowState } from './state'

/**
 * Coinflow's hosted pages, as plain HTML: the withdraw / bank-authentication page a host frames
 * (`/solana/withdraw/:merchantId?sessionKey=…`) and the verification page behind a 451's
 * `verificationLink`. Every URL inside is relative, so the app works on whatever origin serves it
 * (the CLI serves it on http://localhost:3000, the only origin `CoinflowWithdraw env="local"` trusts).
 */

const ASSETS = { script: '/assets/withdraw.js', styles: '/assets/coinflow.css' }

/** No inline script or style anywhere; forms post back to this origin only. */
const WITHDRAW_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors *"
// The verification form redirects to the host's redirectLink after posting, which `form-action
// 'self'` would block, so this page leaves form-action open.
const VERIFICATION_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors *"

const DOCUMENT_TYPES = new Set(['PASSPORT', 'ID_CARD', 'DRIVERS', 'RESIDENCE_PERMIT'])

interface PageOptions {
  title: string
  main: string
  bodyAttributes?: Record<string, string>
  withScript?: boolean
}

function renderPage({ title, main, bodyAttributes = {}, withScript = false }: PageOptions): string {
  const attributes = Object.entries(bodyAttributes)
    .map(([name, value]) => ` ${name}="${escapeHtml(value)}"`)
    .join('')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSETS.styles}">
</head>
<body${attributes}>
<main>
${main}
</main>
${withScript ? `<script src="${ASSETS.script}"></script>\n` : ''}</body>
</html>
`
}

function html(c: Context, body: string, status: number, csp: string) {
  c.header('Content-Security-Policy', csp)
  // The session key rides in the URL; never let it leave in a Referer header.
  c.header('Referrer-Policy', 'no-referrer')
  c.header('X-Content-Type-Options', 'nosniff')
  c.header('Cache-Control', 'no-store')
  return c.html(body, status as ContentfulStatusCode)
}

const KIND_LABELS: Record<AccountKind, string> = {
  bank: 'Bank account',
  card: 'Debit card',
  iban: 'IBAN',
  pix: 'PIX',
}

function describeAccount(account: PayoutAccount): string {
  switch (account.kind) {
    case 'bank':
      return `${account.alias} · ••••${account.last4} (USD)`
    case 'card':
      return `${account.brand} debit card · ••••${account.last4}`
    case 'iban':
      return `${account.alias} · ••••${account.last4} (${account.currency})`
    case 'pix':
      return `PIX key ••••${account.key.slice(-4)} (BRL)`
  }
}

const field = (
  name: string,
  label: string,
  options: {
    value?: string
    type?: string
    hint?: string
    required?: boolean
    extra?: string
  } = {},
) =>
  `<label for="${name}">${escapeHtml(label)}</label>
<input id="${name}" name="${name}" type="${options.type ?? 'text'}"${
    options.value ? ` value="${escapeHtml(options.value)}"` : ''
  }${options.required === false ? '' : ' required'}${options.extra ?? ''}>${
    options.hint ? `\n<p class="hint">${escapeHtml(options.hint)}</p>` : ''
  }`

interface LinkError {
  kind: AccountKind
  message: string
  /** `input`: the person can fix the form; `failed`: this account cannot be linked. */
  outcome: 'input' | 'failed'
  needsAddress?: boolean
}

interface WithdrawPageState {
  merchantId: string
  query: string
  withdrawer: Withdrawer
  linked?: PayoutAccount
  error?: LinkError
  values?: Record<string, string>
}

function linkForms({
  merchantId,
  query,
  error,
  values = {},
  withdrawer,
}: WithdrawPageState): string {
  const action = (kind: AccountKind) =>
    `/solana/withdraw/${encodeURIComponent(merchantId)}/link/${kind}${query}`
  const value = (kind: AccountKind, name: string) =>
    error?.kind === kind ? (values[name] ?? '') : ''
  const section = (kind: AccountKind, title: string, fields: string) => `<details${
    error?.kind === kind ? ' open' : ''
  } data-kind="${kind}">
<summary>${escapeHtml(title)}</summary>
<form method="post" action="${escapeHtml(action(kind))}">
${error?.kind === kind ? `<p class="notice error" role="alert">${escapeHtml(error.message)}</p>\n` : ''}${fields}
<div class="actions"><button type="submit">Link</button><button type="button" class="secondary" data-cancel="${kind}">Cancel</button></div>
</form>
</details>`
  const needsAddress =
    (error?.kind === 'card' && error.needsAddress) ||
    !(withdrawer.identity.address1 && withdrawer.identity.zip)
  const address = needsAddress
    ? `<fieldset><legend>Billing address</legend>
${field('address1', 'Street address', { value: value('card', 'address1') })}
<div class="row"><div>${field('city', 'City', { value: value('card', 'city') })}</div><div>${field('state', 'State', { value: value('card', 'state') })}</div><div>${field('zip', 'ZIP', { value: value('card', 'zip') })}</div></div>
</fieldset>`
    : ''
  return [
    section(
      'bank',
      'US bank account (Plaid)',
      `<p class="hint">Emulated Plaid. Sandbox routing number 011401533 with any 4–17 digit account number.</p>
${field('routingNumber', 'Routing number', { value: value('bank', 'routingNumber'), extra: ' inputmode="numeric" autocomplete="off"' })}
${field('accountNumber', 'Account number', { extra: ' inputmode="numeric" autocomplete="off"' })}
<label for="accountType">Account type</label>
<select id="accountType" name="accountType"><option value="checking">Checking</option><option value="savings"${value('bank', 'accountType') === 'savings' ? ' selected' : ''}>Savings</option></select>
${field('holderName', 'Account holder first name', { value: value('bank', 'holderName') })}
${field('alias', 'Nickname', { value: value('bank', 'alias'), required: false, hint: 'Shown in your list of accounts.' })}`,
    ),
    section(
      'card',
      'Debit card',
      `<p class="hint">Sandbox card 4169 0500 0000 0004, any future expiry. Expiry 01/25 is ineligible.</p>
${field('cardNumber', 'Card number', { extra: ' inputmode="numeric" autocomplete="cc-number"' })}
<div class="row"><div>${field('expMonth', 'Expiry month (MM)', { value: value('card', 'expMonth'), extra: ' inputmode="numeric" maxlength="2"' })}</div><div>${field('expYear', 'Expiry year (YY)', { value: value('card', 'expYear'), extra: ' inputmode="numeric" maxlength="2"' })}</div></div>
${field('nameOnCard', 'Name on card', { value: value('card', 'nameOnCard') })}
${address}`,
    ),
    section(
      'iban',
      'IBAN (EUR) or UK account (GBP)',
      `<p class="hint">Any valid IBAN, or a UK account number with its sort code (e.g. 22052471 / 202678).</p>
${field('number', 'IBAN or UK account number', { value: value('iban', 'number'), extra: ' autocomplete="off"' })}
<div class="row"><div>${field('sortCode', 'Sort code (UK)', { value: value('iban', 'sortCode'), required: false })}</div><div>${field('bic', 'BIC / SWIFT', { value: value('iban', 'bic'), required: false })}</div></div>
${field('accountHolder', 'Account holder', { value: value('iban', 'accountHolder') })}`,
    ),
    section(
      'pix',
      'PIX (BRL)',
      `<p class="hint">A CPF, CNPJ, e-mail, +55 phone or random key. Sandbox key 40882598074.</p>
${field('pixKey', 'PIX key', { value: value('pix', 'pixKey') })}`,
    ),
  ].join('\n')
}

function withdrawPage(state: WithdrawPageState): {
  body: string
  attributes: Record<string, string>
} {
  const { withdrawer, linked, error } = state
  const accounts = withdrawer.accounts.filter((account) => !account.deleted)
  const attributes: Record<string, string> = {}
  if (linked) {
    attributes['data-linked-type'] = linked.kind
    attributes['data-linked-token'] = linked.token
  }
  if (error?.outcome === 'failed') attributes['data-link-failed-type'] = error.kind
  if (error?.outcome === 'input') {
    attributes['data-input-error-type'] = error.kind
    attributes['data-input-error'] = error.message
  }
  const body = `<h1>Withdraw</h1>
<p>Link where your payouts should go. <span class="badge">Coinflow emulator</span></p>
${linked ? `<p class="notice ok" role="status">${escapeHtml(KIND_LABELS[linked.kind])} linked: ${escapeHtml(describeAccount(linked))}</p>` : ''}
<h2>Your accounts</h2>
${
  accounts.length === 0
    ? '<p>No payout accounts linked yet.</p>'
    : `<ul class="accounts">${accounts.map((account) => `<li data-token="${escapeHtml(account.token)}">${escapeHtml(describeAccount(account))}</li>`).join('')}</ul>`
}
<h2>Link an account</h2>
${linkForms(state)}`
  return { body, attributes }
}

function messagePage(title: string, message: string, extra = ''): string {
  return `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>${extra}`
}

function verificationForm(
  withdrawer: Withdrawer,
  error?: string,
  values: Record<string, string> = {},
) {
  const known = withdrawer.identity
  const value = (name: string, fallback: string | null) => values[name] ?? fallback ?? ''
  const document =
    withdrawer.awaiting === 'document'
      ? `<label for="documentType">Identity document</label>
<select id="documentType" name="documentType" required><option value="PASSPORT">Passport</option><option value="ID_CARD">National ID card</option><option value="DRIVERS">Driver's licence</option><option value="RESIDENCE_PERMIT">Residence permit</option></select>
<label for="document">Photo of the document</label>
<input id="document" type="file" name="document" accept="image/*,application/pdf" required>
<label for="selfie">A selfie</label>
<input id="selfie" type="file" name="selfie" accept="image/*" capture="user" required>
<p class="hint">The emulator checks that both are there and keeps neither.</p>`
      : ''
  return `<h1>Verify your identity</h1>
<p>Coinflow needs a few more details before your first payout. <span class="badge">Coinflow emulator</span></p>
${error ? `<p class="notice error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post"${withdrawer.awaiting === 'document' ? ' enctype="multipart/form-data"' : ''}>
<div class="row"><div>${field('firstName', 'First name', { value: value('firstName', known.firstName) })}</div><div>${field('lastName', 'Last name', { value: value('lastName', known.lastName) })}</div></div>
${field('dob', 'Date of birth', { type: 'date' })}
${field('address1', 'Street address', { value: value('address1', known.address1) })}
<div class="row"><div>${field('city', 'City', { value: value('city', known.city) })}</div><div>${field('state', 'State / region', { value: value('state', known.state) })}</div></div>
<div class="row"><div>${field('zip', 'Postal code', { value: value('zip', known.zip) })}</div><div>${field('country', 'Country (2 letters)', { value: value('country', known.country), extra: ' maxlength="2"' })}</div></div>
${field('ssnLast4', 'SSN, last 4 digits (US residents)', { required: false, extra: ' inputmode="numeric" maxlength="4" autocomplete="off"', hint: 'Sandbox: 9999 with ZIP 99999 is rejected.' })}
${document}
<div class="actions"><button type="submit">Submit</button></div>
</form>`
}

const text = (form: Record<string, unknown>, name: string) => {
  const value = form[name]
  return typeof value === 'string' ? value.trim() : ''
}

/** Which hosted-form failures mean "this account cannot be linked" rather than "fix the form". */
function classifyLinkError(kind: AccountKind, error: CoinflowError): LinkError {
  const message =
    typeof error.body === 'string'
      ? error.body
      : String((error.body as { details?: unknown }).details ?? 'Could not link this account')
  const failed = error.status === 400 && /not eligible/i.test(message)
  return {
    kind,
    message,
    outcome: failed ? 'failed' : 'input',
    needsAddress: error.status === 412,
  }
}

/** Builds the hosted pages app. */
export function createCoinflowHosted(state: CoinflowState, scheduler: Scheduler): Hono {
  const app = new Hono()

  app.use(async (_c, next) => {
    await scheduler.runDue()
    await next()
  })

  app.get(ASSETS.script, (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8')
    c.header('X-Content-Type-Options', 'nosniff')
    return c.body(WITHDRAW_SCRIPT)
  })
  app.get(ASSETS.styles, (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8')
    c.header('X-Content-Type-Options', 'nosniff')
    return c.body(HOSTED_STYLES)
  })

  /**
   * A withdraw-page notice in place of the forms. It still loads the page script, so the frame
   * reports `loaded` and its height to `CoinflowWithdraw`.
   */
  const notice = (c: Context, status: 401 | 403 | 404, title: string, message: string) => ({
    page: html(
      c,
      renderPage({ title, main: messagePage(title, message), withScript: true }),
      status,
      WITHDRAW_CSP,
    ),
  })

  /** The session's withdrawer, or the page to show instead. */
  async function session(c: Context): Promise<{ withdrawer: Withdrawer } | { page: Response }> {
    const merchantId = c.req.param('merchantId')
    if (merchantId !== state.merchantId) {
      return notice(c, 404, 'Unknown merchant', 'This withdraw link does not belong to a merchant.')
    }
    const sessionKey = c.req.query('sessionKey')
    const check = sessionKey ? await state.checkSessionKey(sessionKey) : null
    if (!check?.ok) {
      return notice(
        c,
        401,
        'Session expired',
        'This withdraw session is missing or has expired. Close this window and start again.',
      )
    }
    const withdrawer = state.withdrawers.get(check.claims.customerId)
    if (!withdrawer) {
      return notice(
        c,
        403,
        'Verification required',
        'Verify your identity with the app you came from before linking a payout account.',
      )
    }
    if (withdrawer.verification.status !== 'approved') {
      const actionable = withdrawer.awaiting === 'details' || withdrawer.awaiting === 'document'
      const main =
        withdrawer.verification.status === 'rejected'
          ? messagePage('Verification failed', 'We could not verify your identity.')
          : actionable
            ? messagePage(
                'Verify your identity',
                'Coinflow needs a few more details before you can link a payout account.',
                `\n<p><a href="${escapeHtml(state.verificationLink(withdrawer))}" target="_blank" rel="noopener">Continue verification</a></p>`,
              )
            : messagePage(
                'Reviewing your identity',
                'This usually takes a few seconds. Reload this page to check again.',
              )
      return {
        page: html(
          c,
          renderPage({ title: 'Verification', main, withScript: true }),
          403,
          WITHDRAW_CSP,
        ),
      }
    }
    return { withdrawer }
  }

  const queryString = (c: Context) => {
    const url = new URL(c.req.url)
    url.searchParams.delete('linked')
    url.searchParams.delete('token')
    const search = url.searchParams.toString()
    return search ? `?${search}` : ''
  }

  app.get('/solana/withdraw/:merchantId', async (c) => {
    const result = await session(c)
    if ('page' in result) return result.page
    const linkedToken = c.req.query('token')
    const linked = linkedToken
      ? result.withdrawer.accounts.find(
          (account) =>
            account.token === linkedToken &&
            account.kind === c.req.query('linked') &&
            !account.deleted,
        )
      : undefined
    const { body, attributes } = withdrawPage({
      merchantId: state.merchantId,
      query: queryString(c),
      withdrawer: result.withdrawer,
      linked,
    })
    return html(
      c,
      renderPage({ title: 'Withdraw', main: body, bodyAttributes: attributes, withScript: true }),
      200,
      WITHDRAW_CSP,
    )
  })

  app.post('/solana/withdraw/:merchantId/link/:kind{bank|card|iban|pix}', async (c) => {
    const result = await session(c)
    if ('page' in result) return result.page
    const kind = c.req.param('kind') as AccountKind
    const form = await c.req.parseBody()
    const userId = result.withdrawer.userId
    try {
      let token: string
      if (kind === 'bank') {
        const holderName = text(form, 'holderName')
        const accountNumber = text(form, 'accountNumber')
        token = await state.addBankAccount(userId, {
          alias:
            text(form, 'alias') ||
            (text(form, 'accountType') === 'savings' ? 'Savings' : 'Checking'),
          routingNumber: text(form, 'routingNumber'),
          accountNumber,
          type: text(form, 'accountType') === 'savings' ? 'savings' : 'checking',
          holderName: holderName || undefined,
        })
      } else if (kind === 'card') {
        // Raw card numbers stop here, on Coinflow's origin: only the token goes further.
        const cardToken = state.tokenizeCard(text(form, 'cardNumber').replace(/[\s-]/g, '')).token
        const address1 = text(form, 'address1')
        token = await state.addCard(userId, {
          cardToken,
          expMonth: text(form, 'expMonth').padStart(2, '0'),
          expYear: text(form, 'expYear'),
          nameOnCard: text(form, 'nameOnCard') || undefined,
          address: address1
            ? {
                address1,
                city: text(form, 'city'),
                state: text(form, 'state'),
                zip: text(form, 'zip'),
              }
            : undefined,
        })
      } else if (kind === 'iban') {
        token = await state.addIban(userId, {
          number: text(form, 'number'),
          sortCode: text(form, 'sortCode') || undefined,
          bic: text(form, 'bic') || undefined,
          accountHolder: text(form, 'accountHolder') || undefined,
        })
      } else {
        token = await state.addPix(userId, text(form, 'pixKey'))
      }
      const target = new URL(c.req.url)
      target.searchParams.set('linked', kind)
      target.searchParams.set('token', token)
      const back = `/solana/withdraw/${encodeURIComponent(state.merchantId)}?${target.searchParams}`
      return c.redirect(back, 303)
    } catch (error) {
      if (!(error instanceof CoinflowError)) throw error
      const linkError = classifyLinkError(kind, error)
      const values = Object.fromEntries(
        Object.entries(form).filter(
          // Never echo a card or account number back into the page.
          (entry): entry is [string, string] =>
            typeof entry[1] === 'string' && !['cardNumber', 'accountNumber'].includes(entry[0]),
        ),
      )
      const { body, attributes } = withdrawPage({
        merchantId: state.merchantId,
        query: queryString(c),
        withdrawer: result.withdrawer,
        error: linkError,
        values,
      })
      return html(
        c,
        renderPage({ title: 'Withdraw', main: body, bodyAttributes: attributes, withScript: true }),
        error.status,
        WITHDRAW_CSP,
      )
    }
  })

  const verificationPage = (
    c: Context,
    withdrawer: Withdrawer,
    error?: string,
    values?: Record<string, string>,
  ) => {
    let main: string
    let status = 200
    if (withdrawer.verification.status === 'approved') {
      main = messagePage(
        'You are verified',
        'Your identity is verified. You can close this page.',
        withdrawer.redirectLink
          ? `\n<p><a href="${escapeHtml(withdrawer.redirectLink)}">Continue</a></p>`
          : '',
      )
    } else if (withdrawer.verification.status === 'rejected') {
      main = messagePage('Verification failed', 'We could not verify your identity.')
    } else if (withdrawer.awaiting === 'review') {
      main = messagePage(
        'Reviewing your identity',
        'This usually takes a few seconds. Reload this page to check again.',
      )
    } else {
      main = verificationForm(withdrawer, error, values)
      if (error) status = 400
    }
    return html(c, renderPage({ title: 'Verify your identity', main }), status, VERIFICATION_CSP)
  }

  app.get('/verification/:linkId', (c) => {
    const withdrawer = state.withdrawerByVerificationLink(c.req.param('linkId'))
    if (!withdrawer) {
      const main = messagePage('Link not found', 'This verification link is not valid.')
      return html(c, renderPage({ title: 'Link not found', main }), 404, VERIFICATION_CSP)
    }
    return verificationPage(c, withdrawer)
  })

  app.post('/verification/:linkId', async (c) => {
    const withdrawer = state.withdrawerByVerificationLink(c.req.param('linkId'))
    if (!withdrawer) {
      const main = messagePage('Link not found', 'This verification link is not valid.')
      return html(c, renderPage({ title: 'Link not found', main }), 404, VERIFICATION_CSP)
    }
    if (withdrawer.awaiting !== 'details' && withdrawer.awaiting !== 'document') {
      return verificationPage(c, withdrawer)
    }
    const form = await c.req.parseBody()
    const values = Object.fromEntries(
      ['firstName', 'lastName', 'address1', 'city', 'state', 'zip', 'country'].map((name) => [
        name,
        text(form, name),
      ]),
    )
    const dob = text(form, 'dob')
    const ssnLast4 = text(form, 'ssnLast4')
    const country = values.country!.toUpperCase()
    const missing = Object.entries(values).find(([, value]) => !value)
    // Document verification takes the document's photo and a selfie, as Coinflow's does; the
    // emulator only checks they were sent, and keeps neither (they are PII).
    const uploaded = (name: string) => {
      const file = form[name]
      return file instanceof File && file.size > 0
    }
    const upload =
      withdrawer.awaiting !== 'document'
        ? null
        : !DOCUMENT_TYPES.has(text(form, 'documentType'))
          ? 'Choose the kind of identity document.'
          : !uploaded('document')
            ? 'Upload a photo of your identity document.'
            : !uploaded('selfie')
              ? 'Take a selfie.'
              : null
    const problem = missing
      ? 'Please fill in every field.'
      : !/^\d{4}-\d{2}-\d{2}$/.test(dob)
        ? 'Enter your date of birth.'
        : !/^[A-Z]{2}$/.test(country)
          ? 'Enter your country as a 2-letter code, such as US.'
          : country === 'US' && !/^\d{4}$/.test(ssnLast4)
            ? 'Enter the last 4 digits of your SSN.'
            : upload
    if (problem) return verificationPage(c, withdrawer, problem, values)
    await state.completeVerification(withdrawer, {
      firstName: values.firstName!,
      lastName: values.lastName!,
      dob,
      address1: values.address1!,
      city: values.city!,
      state: values.state!,
      zip: values.zip!,
      country,
      ssnLast4: ssnLast4 || undefined,
    })
    if (withdrawer.verification.status === 'approved' && withdrawer.redirectLink) {
      return c.redirect(withdrawer.redirectLink, 303)
    }
    return c.redirect(`/verification/${encodeURIComponent(c.req.param('linkId'))}`, 303)
  })

  return app
}

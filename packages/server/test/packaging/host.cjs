// A CommonJS host as a team would write one, run from a fresh project that installed the packed
// tarballs: every package and entry through require(), the BFF mounted under /api/shareflow and
// served on a real port, the kit rendered to a string. Prints one JSON line.
const { Session } = require('@shareflow/contract')
const { ApiError, silentLogger } = require('@shareflow/server')
const { serveShareflow } = require('@shareflow/server/node')
const { createSandboxShareflowApp } = require('@shareflow/server/sandbox')
const { shareflowExpress } = require('@shareflow/server/express')
const { shareflowFastify } = require('@shareflow/server/fastify')
const { signWebhook } = require('@shareflow/server/testing')
const { createPersonaClient } = require('@shareflow/server/vendors')
const { requireUser } = require('@shareflow/server/module')
const { createEmulator } = require('@shareflow/server/emulator')
const { KycShareGate, PayoutQuote, ShareflowProvider, WithdrawButton } = require('@shareflow/react')
const { de } = require('@shareflow/react/locales/de')
const { createElement: h } = require('react')
const { renderToString } = require('react-dom/server')
const { Hono } = require('hono')

async function main() {
  const { app } = createSandboxShareflowApp({
    getUser: () => ({ id: 'user-fresh', email: 'fresh@example.com', country: 'US' }),
    logger: silentLogger,
  })
  const host = new Hono().route('/api/shareflow', app)
  const server = await serveShareflow({ app: host })
  const response = await fetch(`${server.url}/api/shareflow/session`)
  const session = Session.parse(await response.json())
  await server.close()
  const html = renderToString(
    h(
      ShareflowProvider,
      { baseUrl: '/api/shareflow', messages: de },
      h(KycShareGate, null, h('p', null, 'Cash out')),
      h(PayoutQuote, { defaultAmount: 25_00, currency: 'USD' }),
      h(WithdrawButton, { amount: { cents: 25_00, currency: 'USD' }, speed: 'asap' }),
    ),
  )
  const loaded = [shareflowExpress, shareflowFastify, signWebhook, createPersonaClient]
  const more = [requireUser, createEmulator, ApiError]
  process.stdout.write(
    `${JSON.stringify({
      status: response.status,
      kyc: session.kyc.state,
      html,
      functions: [...loaded, ...more].every((value) => typeof value === 'function'),
    })}\n`,
  )
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`)
  process.exit(1)
})

// The same host as an ES module, and one that mixes import and require: both reach one module
// instance (Node's require of an ES module), so there is one ApiError class, not two.
import { createRequire } from 'node:module'
import { Session } from '@shareflow/contract'
import { ApiError, silentLogger } from '@shareflow/server'
import { serveShareflow } from '@shareflow/server/node'
import { createSandboxShareflowApp } from '@shareflow/server/sandbox'
import { KycShareGate, ShareflowProvider } from '@shareflow/react'
import { createElement as h } from 'react'
import { renderToString } from 'react-dom/server'

const require = createRequire(import.meta.url)
const { app } = createSandboxShareflowApp({
  getUser: () => ({ id: 'user-fresh', email: 'fresh@example.com', country: 'US' }),
  logger: silentLogger,
})
const server = await serveShareflow({ app })
const response = await fetch(`${server.url}/session`)
const session = Session.parse(await response.json())
await server.close()
const html = renderToString(
  h(ShareflowProvider, { baseUrl: '/api/shareflow' }, h(KycShareGate, null, 'Cash out')),
)
process.stdout.write(
  `${JSON.stringify({
    status: response.status,
    kyc: session.kyc.state,
    html,
    oneInstance:
      require('@shareflow/server').ApiError === ApiError &&
      require('@shareflow/react').KycShareGate === KycShareGate,
  })}\n`,
)

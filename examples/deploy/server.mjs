// One BFF instance of the deployment: the app from the environment (the vendors' keys, the
// store, the proxy hops; README of @shareflow/server), served with a graceful drain on SIGTERM.
//
// getUser is the host's: here the signed-in user is whatever the host's own gateway put in
// X-Example-User. Replace it with your session or JWT check before you deploy.
import { createShareflowAppFromEnv, serveShareflow } from '@shareflow/server/node'

const { app, deployment } = await createShareflowAppFromEnv({
  getUser: (c) => {
    const id = c.req.header('x-example-user')
    return id ? { id, email: `${id}@example.com` } : null
  },
})
const server = await serveShareflow({
  app,
  port: Number(process.env.PORT ?? 8787),
  hostname: '0.0.0.0',
  trustProxy: deployment.trustProxy,
})
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)))
console.log(`shareflow BFF listening on ${server.url}`)

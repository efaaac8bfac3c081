/**
 * Starts a throwaway nginx (Debian's package) that ends TLS with a certificate made for the test
 * by `openssl`, and forwards to a BFF over plain HTTP, as a production load balancer does. Like
 * `redis-server.ts`, a missing program fails loudly, never skips.
 */
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { request as httpsRequest } from 'node:https'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { freePort, stopChild } from './redis-server'

export interface TlsProxy {
  /** `https://127.0.0.1:<port>`: the origin a browser on the proxy's pages sends. */
  origin: string
  /** The test certificate (PEM), for clients to trust. */
  certificate: string
  stop(): Promise<void>
}

const missing = (program: string) =>
  new Error(
    `${program} is not installed, and the proxy tests run a real one. Install it (Debian/Ubuntu: ` +
      '`bash scripts/system-deps.sh`, which `.ci/run` runs first).',
  )

/** A self-signed certificate for 127.0.0.1 and localhost, valid for a day. */
async function makeCertificate(directory: string) {
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout',
    path.join(directory, 'key.pem'),
    '-out',
    path.join(directory, 'cert.pem'),
  ]).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'ENOENT' ? missing('openssl') : error
  })
  return readFile(path.join(directory, 'cert.pem'), 'utf8')
}

/**
 * nginx as most deployments configure it in front of an app: TLS ends here, the upstream hears
 * plain HTTP with its own address as `Host`, and the proxy says what the browser used in
 * `X-Forwarded-Proto` / `X-Forwarded-Host` / `X-Forwarded-For`. No buffering, so event streams
 * flow.
 */
function config(directory: string, server: string) {
  const file = (name: string) => path.join(directory, name)
  return `daemon off;
worker_processes 1;
pid ${file('nginx.pid')};
error_log ${file('error.log')} warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${file('body')};
  proxy_temp_path ${file('proxy')};
  fastcgi_temp_path ${file('fastcgi')};
  uwsgi_temp_path ${file('uwsgi')};
  scgi_temp_path ${file('scgi')};
${server}
}
`
}

const singleUpstream = (directory: string, port: number, upstream: URL) => `
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${path.join(directory, 'cert.pem')};
    ssl_certificate_key ${path.join(directory, 'key.pem')};
    location / {
      proxy_pass http://${upstream.host};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_buffering off;
    }
  }`

/** The deployment example's nginx configuration (examples/deploy), as it ships. */
export const DEPLOY_NGINX_CONF = fileURLToPath(
  new URL('../../../examples/deploy/nginx/shareflow.conf', import.meta.url),
)

/**
 * The deployment example's own file with only the test's addresses put in: its `bff-N:8787`
 * servers become `upstreams`, port 443 a free loopback port, the certificate the test's.
 */
async function deployedUpstreams(directory: string, port: number, upstreams: readonly URL[]) {
  const shipped = await readFile(DEPLOY_NGINX_CONF, 'utf8')
  const servers = [...shipped.matchAll(/server bff-\d+:8787/g)]
  if (servers.length !== upstreams.length) {
    throw new Error(
      `${DEPLOY_NGINX_CONF} lists ${servers.length} instances, not ${upstreams.length}`,
    )
  }
  let index = 0
  return shipped
    .replace(/server bff-\d+:8787/g, () => `server ${upstreams[index++]!.host}`)
    .replace('listen 443 ssl', `listen 127.0.0.1:${port} ssl`)
    .replace('/etc/nginx/certs/cert.pem', path.join(directory, 'cert.pem'))
    .replace('/etc/nginx/certs/key.pem', path.join(directory, 'key.pem'))
}

/**
 * @example
 * const proxy = await startTlsProxy({ upstream: bff.url })
 * await httpsFetch(proxy, '/api/shareflow/session')
 */
export async function startTlsProxy({
  upstream,
  upstreams,
  command = process.env.NGINX ?? '/usr/sbin/nginx',
}: {
  /** One BFF, behind a minimal configuration of the test's own. */
  upstream?: string
  /** Several BFFs, behind the deployment example's configuration (`DEPLOY_NGINX_CONF`). */
  upstreams?: readonly string[]
  command?: string
}): Promise<TlsProxy> {
  const directory = await mkdtemp(path.join(tmpdir(), 'shareflow-nginx-'))
  const certificate = await makeCertificate(directory)
  const port = await freePort()
  const server = upstreams
    ? await deployedUpstreams(
        directory,
        port,
        upstreams.map((url) => new URL(url)),
      )
    : singleUpstream(directory, port, new URL(upstream!))
  await writeFile(path.join(directory, 'nginx.conf'), config(directory, server))
  const child = spawn(command, ['-p', directory, '-c', path.join(directory, 'nginx.conf')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<Error>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ENOENT' ? missing('nginx') : error),
    )
    child.once('exit', (code, signal) =>
      resolve(new Error(`nginx exited (${code ?? signal}) before listening:\n${output}`)),
    )
  })
  // QUIT: nginx finishes the requests in flight, then exits.
  const stop = () => stopChild(child, 'SIGQUIT', directory)
  const deadline = Date.now() + 10_000
  for (;;) {
    const outcome = await Promise.race([listening(port), exited])
    if (outcome === true) return { origin: `https://127.0.0.1:${port}`, certificate, stop }
    if (outcome instanceof Error) {
      await rm(directory, { recursive: true, force: true })
      throw outcome
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`nginx did not listen on ${port} within 10 s:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

export interface HttpsAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** One HTTPS request through `proxy`, trusting its test certificate only. */
export function httpsFetch(
  proxy: TlsProxy,
  pathname: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      new URL(pathname, proxy.origin),
      { method: init.method ?? 'GET', headers: init.headers, ca: proxy.certificate, agent: false },
      (response) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => (body += chunk))
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        )
        response.on('error', reject)
      },
    )
    request.on('error', reject)
    request.end(init.body)
  })
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

// A service worker for Storybook: the emulator's hosted pages (Persona's flow, Coinflow's withdraw
// and verification pages) answer at this origin from the emulator running in a Storybook page, so
// designers click through them with no server and no network. Registered by `hosted-worker.ts`.
// `/widget`: the page Persona's SDK frames (`createPersonaEmbeddedFlow` with this origin as its host).
const PAGES = ['/persona/', '/widget', '/solana/withdraw/', '/verification/']
const ASSETS = ['/assets/withdraw.js', '/assets/coinflow.css']

self.addEventListener('install', () => self.skipWaiting())
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()))

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url)
  if (url.origin !== self.location.origin) return
  const hosted = PAGES.some((prefix) => url.pathname.startsWith(prefix))
  if (!hosted && !ASSETS.includes(url.pathname)) return
  event.respondWith(forward(event.request))
})

/** Asks every open page; the one running the emulator answers (the others ignore the message). */
async function forward(request) {
  const pages = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
  const body = request.method === 'GET' || request.method === 'HEAD' ? null : await request.text()
  const message = {
    type: 'shareflow-hosted-request',
    url: request.url,
    method: request.method,
    headers: [...request.headers],
    body,
  }
  const answer = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), 10_000)
    for (const page of pages) {
      const channel = new MessageChannel()
      channel.port1.onmessage = (event) => {
        clearTimeout(timer)
        resolve(event.data)
      }
      page.postMessage(message, [channel.port2])
    }
  })
  if (!answer) return new Response('No Storybook page with the emulator is open.', { status: 504 })
  const empty = answer.status === 204 || answer.status === 304 || request.method === 'HEAD'
  return new Response(empty ? null : answer.body, {
    status: answer.status,
    headers: answer.headers,
  })
}

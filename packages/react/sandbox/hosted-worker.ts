import type { KitSandbox } from './sandbox'

/** The path the Vite plugin serves `hosted-sw.js` at (and emits it to, in a build). */
export const HOSTED_WORKER_PATH = '/shareflow-hosted-sw.js'

let current: KitSandbox | undefined
let listening = false

function answer(event: MessageEvent) {
  const data = event.data as {
    type?: string
    url: string
    method: string
    headers: [string, string][]
    body: string | null
  }
  if (data?.type !== 'shareflow-hosted-request' || !current) return
  const [port] = event.ports
  void Promise.resolve(
    current.emulator.hosted.fetch(
      new Request(data.url, {
        method: data.method,
        headers: data.headers,
        body: data.body,
        redirect: 'manual',
      }),
    ),
  ).then(async (response) =>
    port?.postMessage({
      status: response.status,
      headers: [...response.headers],
      body: await response.text(),
    }),
  )
}

/**
 * In Storybook: the emulator's hosted pages answer at this page's origin (the sandbox must be
 * created with `hostedOrigin: location.origin`), through a service worker that hands each request
 * to the newest sandbox. Resolves once the worker controls new frames and tabs.
 */
export async function serveHostedPagesFromWorker(sandbox: KitSandbox): Promise<void> {
  current = sandbox
  if (!('serviceWorker' in navigator)) return
  if (!listening) {
    navigator.serviceWorker.addEventListener('message', answer)
    listening = true
  }
  await navigator.serviceWorker.register(HOSTED_WORKER_PATH, { scope: '/' })
  await navigator.serviceWorker.ready
}

/**
 * The page the round-trip bench opens in Chromium: `?mode=shareflow` mounts `<KycShareGate>` the
 * way the README shows; `?mode=naive` follows the vendors' guides step by step. Both render the
 * same child, which stamps `window.__bench.readyAt` the moment it is on screen.
 */
import { KycShareGate, ShareflowProvider } from '@shareflow/react'
import '@shareflow/react/styles.css'
import { useEffect, useLayoutEffect, useState } from 'react'
import { createRoot } from 'react-dom/client'

interface BenchWindow {
  mountAt: number
  readyAt?: number
  error?: string
}

declare global {
  interface Window {
    __bench: BenchWindow
  }
}

function Ready() {
  useLayoutEffect(() => {
    window.__bench.readyAt = performance.now()
  }, [])
  return <p data-bench-ready="">Ready to withdraw</p>
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(`/api/naive${path}`, init)
  if (!response.ok) throw new Error(`${path} answered ${response.status}`)
  return (await response.json()) as T
}

interface Withdrawer {
  registered: boolean
  approved: boolean
}

/** Register → get withdrawer (polling until approved) → session key → render. */
function NaiveGate({ pollMs }: { pollMs: number }) {
  const [sessionKey, setSessionKey] = useState<string | null>(null)
  useEffect(() => {
    let cancelled = false
    void (async () => {
      let withdrawer = await api<Withdrawer>('/withdrawer')
      if (!withdrawer.registered) {
        await api('/register', { method: 'POST' })
        withdrawer = await api<Withdrawer>('/withdrawer')
      }
      while (!withdrawer.approved && !cancelled) {
        await sleep(pollMs)
        withdrawer = await api<Withdrawer>('/withdrawer')
      }
      const { key } = await api<{ key: string }>('/session-key')
      if (!cancelled) setSessionKey(key)
    })().catch((error: unknown) => {
      window.__bench.error = String(error)
    })
    return () => {
      cancelled = true
    }
  }, [pollMs])
  return sessionKey ? <Ready /> : <p>Loading…</p>
}

const params = new URLSearchParams(location.search)
const root = createRoot(document.getElementById('root')!)
window.__bench = { mountAt: performance.now() }
root.render(
  params.get('mode') === 'naive' ? (
    <NaiveGate pollMs={Number(params.get('poll') ?? 1000)} />
  ) : (
    <ShareflowProvider baseUrl="/api/shareflow">
      <KycShareGate>
        <Ready />
      </KycShareGate>
    </ShareflowProvider>
  ),
)

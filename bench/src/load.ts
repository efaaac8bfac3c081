/**
 * One load run with autocannon against a real HTTP server on loopback, reduced to the figures the
 * bench reports. Latencies are milliseconds as autocannon records them (whole ms).
 *
 * @module
 */
import autocannon from 'autocannon'

export interface LoadTarget {
  url: string
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
  /**
   * Give every request its own `"cents"` amount, so nothing on the way can answer from a cache of
   * an identical request (the BFF keeps identical quotes for 5 s).
   */
  uniqueAmounts?: boolean
  /**
   * Requests take turns through these: each replaces the headers and body it names, so the load
   * spreads over many users the way real traffic does instead of piling onto one user's records.
   */
  variants?: Array<{ headers?: Record<string, string>; body?: string }>
}

export interface LoadFigure {
  /** Mean latency, to 0.01 ms (autocannon's percentiles are whole milliseconds). */
  meanMs: number
  p50Ms: number
  p99Ms: number
  requestsPerSec: number
  requests: number
  /** Connection errors, timeouts and non-2xx answers: any of these makes the figure suspect. */
  failures: number
}

export async function runLoad(
  target: LoadTarget,
  { connections, durationSec }: { connections: number; durationSec: number },
): Promise<LoadFigure> {
  let sent = 0
  const varies = (target.variants?.length ?? 0) > 0 || (target.uniqueAmounts && target.body)
  const next = (request: { headers?: Record<string, string>; body?: string }) => {
    const n = sent++
    const variant = target.variants?.[n % target.variants.length] ?? {}
    const body = variant.body ?? target.body
    return {
      ...request,
      headers: { ...target.headers, ...variant.headers },
      ...(body === undefined
        ? {}
        : {
            body: target.uniqueAmounts
              ? body.replace(/"cents":\d+/, `"cents":${1_000 + (n % 1_000_000)}`)
              : body,
          }),
    }
  }
  const result = await autocannon({
    url: target.url,
    method: target.method ?? 'GET',
    headers: target.headers,
    body: target.body,
    ...(varies ? { requests: [{ setupRequest: next }] } : {}),
    connections,
    duration: durationSec,
    timeout: 30,
  })
  return {
    meanMs: Math.round(result.latency.mean * 100) / 100,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requestsPerSec: Math.round(result.requests.average),
    requests: result.requests.total,
    failures: result.errors + result.timeouts + result.non2xx,
  }
}

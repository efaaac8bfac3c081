import { metrics, trace } from '@opentelemetry/api'
import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
  type DataPoint,
} from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import type { Payout, ShareflowEvent } from '@shareflow/contract'
import { afterEach, describe, expect, it } from 'vitest'
import { createJourneyHarness } from '../../test/journeys/harness'
import { createEventHub } from '../event-hub'
import { createMemoryStore } from '../store/memory'
import { countJourneyEvents } from '.'

/** Collects on demand, as a Prometheus scrape would. */
class ScrapeReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE })
  }
  protected async onShutdown() {}
  protected async onForceFlush() {}
}

/** A tracer and a meter as a host's SDK set-up gives them, recording in memory. */
function openTelemetrySdk() {
  const spans = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spans)],
  })
  const reader = new ScrapeReader()
  const meterProvider = new MeterProvider({ readers: [reader] })
  /** Each data point of `name` as `{ attributes, value }`. */
  const points = async (name: string) => {
    const { resourceMetrics } = await reader.collect()
    const metric = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((candidate) => candidate.descriptor.name === name)
    return (metric?.dataPoints ?? []).map((point: DataPoint<unknown>) => ({
      attributes: point.attributes,
      value: point.value,
    }))
  }
  return {
    telemetry: {
      tracer: tracerProvider.getTracer('@shareflow/server'),
      meter: meterProvider.getMeter('@shareflow/server'),
    },
    spans: () => spans.getFinishedSpans(),
    points,
  }
}

const jane = { id: 'user-jane-otel', email: 'jane@example.com', country: 'US' }

let harness: ReturnType<typeof createJourneyHarness> | undefined
afterEach(() => harness?.close())

describe('OpenTelemetry', () => {
  it('records a span per vendor call, the journey, its webhooks and the breakers', async () => {
    const sdk = openTelemetrySdk()
    harness = createJourneyHarness({
      app: { telemetry: sdk.telemetry, upstream: { breaker: true } },
    })
    harness.signIn(jane)
    await harness.verifyAndShare(jane.id)
    await harness.advance(3_000)
    expect((await harness.session(jane.id)).kyc.state).toBe('approved')

    const spans = sdk.spans()
    const names = new Set(spans.map((span) => span.name))
    expect([...names].some((name) => name.startsWith('persona '))).toBe(true)
    expect([...names].some((name) => name.startsWith('coinflow '))).toBe(true)
    for (const span of spans) {
      expect(span.kind).toBe(2) // client
      expect(span.attributes).toMatchObject({
        'shareflow.vendor': expect.stringMatching(/^(persona|coinflow)$/),
        'http.request.method': expect.any(String),
        'shareflow.attempts': expect.any(Number),
        'http.response.status_code': expect.any(Number),
      })
      // Nothing that names the user reaches the telemetry backend.
      expect(JSON.stringify(span.attributes)).not.toContain(jane.id)
      expect(JSON.stringify(span.attributes)).not.toContain(jane.email)
    }
    // One span per call: as many as the vendors saw requests (no faults, so no retries).
    const requests = (['persona', 'coinflow'] as const).flatMap((vendor) =>
      ['GET', 'POST', 'PATCH', 'DELETE'].map((method) => harness!.count(vendor, method, /./)),
    )
    expect(spans.length).toBe(requests.reduce((sum, n) => sum + n, 0))

    expect(await sdk.points('shareflow.journeys')).toContainEqual({
      attributes: { 'kyc.state': 'approved' },
      value: 1,
    })
    const webhooks = await sdk.points('shareflow.webhooks')
    expect(webhooks.length).toBeGreaterThan(0)
    for (const point of webhooks) {
      expect(point.attributes['webhook.outcome']).toMatch(/^(applied|duplicate)$/)
    }
    expect(await sdk.points('shareflow.breaker.state')).toEqual([
      { attributes: { 'shareflow.vendor': 'persona' }, value: 0 },
      { attributes: { 'shareflow.vendor': 'coinflow' }, value: 0 },
    ])
  })

  it('counts a refused webhook delivery as refused', async () => {
    const sdk = openTelemetrySdk()
    harness = createJourneyHarness({ app: { telemetry: sdk.telemetry } })
    const response = await harness.as(null).post('/webhooks/persona', '{}', {
      headers: { 'Persona-Signature': 't=1,v1=00', 'Content-Type': 'application/json' },
    })
    expect(response.status).toBe(403)
    expect(await sdk.points('shareflow.webhooks')).toEqual([
      { attributes: { 'shareflow.vendor': 'persona', 'webhook.outcome': 'refused' }, value: 1 },
    ])
  })

  it('counts payouts by the outcome they reach, not their steps on the way', async () => {
    const sdk = openTelemetrySdk()
    const events = countJourneyEvents(
      createEventHub({ store: createMemoryStore() }),
      sdk.telemetry.meter,
    )
    const payout = (state: Payout['state']): ShareflowEvent => ({
      type: 'payout.updated',
      payout: {
        id: 'po_1',
        state,
        amount: { cents: 25_00, currency: 'USD' },
        speed: 'standard',
        destination: { id: 'dest_1', type: 'bank_account', last4: '6789', label: 'Checking' },
        createdAt: '2026-12-08T00:00:00.000Z',
        updatedAt: '2026-12-08T00:00:00.000Z',
      },
    })
    for (const state of [
      'accepted',
      'pending',
      'succeeded',
      'failed',
      'refused',
      'succeeded',
    ] as const) {
      await events.publish('user-1', payout(state))
    }
    const points = await sdk.points('shareflow.payouts')
    expect(points).toHaveLength(3)
    expect(points).toEqual(
      expect.arrayContaining([
        { attributes: { 'payout.outcome': 'succeeded' }, value: 2 },
        { attributes: { 'payout.outcome': 'failed' }, value: 1 },
        { attributes: { 'payout.outcome': 'refused' }, value: 1 },
      ]),
    )
  })

  it('records nothing and needs no SDK when the host passes none', async () => {
    // The global API without an SDK registered is a no-op: the BFF runs as before.
    harness = createJourneyHarness({
      app: {
        telemetry: {
          tracer: trace.getTracer('@shareflow/server'),
          meter: metrics.getMeter('@shareflow/server'),
        },
      },
    })
    harness.signIn(jane)
    expect((await harness.session(jane.id)).user.id).toBe(jane.id)
  })
})

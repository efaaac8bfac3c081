/**
 * OpenTelemetry traces and metrics, through `@opentelemetry/api` (an optional peer): the host
 * passes a tracer and a meter from its own SDK set-up (`telemetry: { tracer, meter }`), and the BFF
 * records into them. Without them nothing is recorded and nothing is loaded: this module imports
 * the API's types only, so a host without the package never bundles it.
 *
 * What is recorded (names and attributes are the dashboard's contract; README "Telemetry"):
 * - a span per vendor call, `persona <operation>` / `coinflow <operation>` (client kind), all its
 *   attempts inside it: `shareflow.vendor`, `shareflow.operation`, `http.request.method`,
 *   `shareflow.attempts`, `http.response.status_code`; an error status when no answer came;
 * - `shareflow.journeys`: KYC status changes, by the state reached (`kyc.state`);
 * - `shareflow.payouts`: payouts reaching an outcome (`payout.outcome`: succeeded, failed, refused);
 * - `shareflow.webhooks`: deliveries, by `shareflow.vendor` and `webhook.outcome` (applied,
 *   duplicate, refused, failed);
 * - `shareflow.breaker.state`: each vendor breaker's state (0 closed, 1 half open, 2 open).
 *
 * No attribute carries a user id, an amount, a URL or anything a vendor answered but its status.
 *
 * Web Standards only.
 *
 * @module
 */
import type { ShareflowEvent } from '@shareflow/contract'
import type { Attributes, Meter, Span, Tracer } from '@opentelemetry/api'
import type { EventHub } from '../event-hub'
import type { BreakerState, CircuitBreaker } from '../upstream/breaker'
import type { Vendor } from '../upstream/vendor'

export interface TelemetryOptions {
  /** `trace.getTracer('@shareflow/server')` from `@opentelemetry/api`: a span per vendor call. */
  tracer?: Tracer
  /** `metrics.getMeter('@shareflow/server')`: the journey, payout, webhook and breaker metrics. */
  meter?: Meter
}

export type WebhookOutcome = 'applied' | 'duplicate' | 'refused' | 'failed'

export interface Telemetry {
  /** Runs one vendor call (all its attempts) inside its span. */
  vendorCall<T extends { status: number; attempts: number }>(
    call: { vendor: Vendor; operation: string; method: string },
    run: () => Promise<T>,
  ): Promise<T>
  webhook(vendor: Vendor, outcome: WebhookOutcome): void
}

// `SpanKind.CLIENT` and `SpanStatusCode.ERROR` from the API, as numbers: importing the enums
// would make the package a hard dependency.
const SPAN_KIND_CLIENT = 2
const SPAN_STATUS_ERROR = 2

const breakerValue: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 }
const payoutOutcomes = new Set(['succeeded', 'failed', 'refused'])

/** Records nothing: the BFF without a tracer or meter. */
const off: Telemetry = {
  vendorCall: (_call, run) => run(),
  webhook: () => {},
}

/**
 * @example
 * import { metrics, trace } from '@opentelemetry/api'
 * const telemetry = createTelemetry({ tracer: trace.getTracer('@shareflow/server'), meter: metrics.getMeter('@shareflow/server') }, breakers)
 */
export function createTelemetry(
  { tracer, meter }: TelemetryOptions = {},
  breakers: Partial<Record<Vendor, CircuitBreaker | undefined>> = {},
): Telemetry {
  if (!tracer && !meter) return off
  const webhooks = meter?.createCounter('shareflow.webhooks', {
    description: 'Vendor webhook deliveries, by vendor and outcome',
  })
  meter
    ?.createObservableGauge('shareflow.breaker.state', {
      description: "Each vendor circuit breaker's state: 0 closed, 1 half open, 2 open",
    })
    .addCallback((result) => {
      for (const [vendor, breaker] of Object.entries(breakers)) {
        if (breaker) result.observe(breakerValue[breaker.state()], { 'shareflow.vendor': vendor })
      }
    })

  return {
    vendorCall(call, run) {
      if (!tracer) return run()
      const attributes: Attributes = {
        'shareflow.vendor': call.vendor,
        'shareflow.operation': call.operation,
        'http.request.method': call.method,
      }
      return tracer.startActiveSpan(
        `${call.vendor} ${call.operation}`,
        { kind: SPAN_KIND_CLIENT, attributes },
        async (span: Span) => {
          try {
            const answer = await run()
            span.setAttributes({
              'shareflow.attempts': answer.attempts,
              'http.response.status_code': answer.status,
            })
            if (answer.status >= 500) span.setStatus({ code: SPAN_STATUS_ERROR })
            return answer
          } catch (error) {
            const failure = error as { attempts?: unknown; status?: unknown; kind?: unknown }
            if (typeof failure.attempts === 'number') {
              span.setAttribute('shareflow.attempts', failure.attempts)
            }
            if (typeof failure.status === 'number') {
              span.setAttribute('http.response.status_code', failure.status)
            }
            // The kind (timeout, network, status, …), never the message: it may name a path.
            span.setStatus({
              code: SPAN_STATUS_ERROR,
              message: typeof failure.kind === 'string' ? failure.kind : 'error',
            })
            throw error
          } finally {
            span.end()
          }
        },
      )
    },
    webhook(vendor, outcome) {
      webhooks?.add(1, { 'shareflow.vendor': vendor, 'webhook.outcome': outcome })
    },
  }
}

/**
 * The event hub, counting journeys and payouts as their news is published: every KYC status
 * change and payout state goes through the hub once (on the instance that made it), so no
 * publisher can forget to count.
 */
export function countJourneyEvents(events: EventHub, meter: Meter | undefined): EventHub {
  if (!meter) return events
  const journeys = meter.createCounter('shareflow.journeys', {
    description: 'KYC status changes, by the state reached',
  })
  const payouts = meter.createCounter('shareflow.payouts', {
    description: 'Payouts reaching an outcome, by outcome',
  })
  return {
    ...events,
    async publish(userId, event: ShareflowEvent) {
      const entry = await events.publish(userId, event)
      if (event.type === 'kyc.updated') journeys.add(1, { 'kyc.state': event.kyc.state })
      if (event.type === 'payout.updated' && payoutOutcomes.has(event.payout.state)) {
        payouts.add(1, { 'payout.outcome': event.payout.state })
      }
      return entry
    },
  }
}

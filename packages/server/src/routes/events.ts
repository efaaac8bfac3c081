/**
 * `GET /events`: the signed-in user's Server-Sent Events stream, fed by the event hub
 * (`event-hub.ts`).
 *
 * When the client reconnects with `Last-Event-ID` it gets what it missed from the hub's log; when
 * that id is unknown (too old, or the log expired) the stream starts with a snapshot of the
 * current KYC state instead: the state is the truth, events are only news of it.
 *
 * @module
 */
import { type KycStatus, type ShareflowEvent } from '@shareflow/contract'
import type { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import type { EventEntry } from '../event-hub'
import type { ShareflowEnv } from '../request-context'
import { requireUser } from '../user'

export interface EventsRouteOptions {
  /** Comment lines keep proxies from closing an idle stream. Default 15 000 ms. */
  heartbeatMs: number
  /** The user's current KYC status, from the store only (no vendor calls). */
  currentKyc(userId: string): Promise<KycStatus>
}

const isNewer = (id: string, than: string | null) => than === null || Number(id) > Number(than)

/** Mounts `GET /events`. */
export function registerEventRoutes(
  app: Hono<ShareflowEnv>,
  path: string,
  { heartbeatMs, currentKyc }: EventsRouteOptions,
): void {
  app.get(path, async (c) => {
    const user = await requireUser(c)
    const { events, logger } = c.get('shareflow')
    const lastEventId = c.req.header('Last-Event-ID')?.slice(0, 40) ?? null
    c.header('X-Accel-Buffering', 'no')

    return streamSSE(c, async (stream) => {
      let lastSent: string | null = null
      let ready = false
      const early: EventEntry[] = []
      const send = async (entry: EventEntry) => {
        if (!isNewer(entry.id, lastSent)) return
        lastSent = entry.id
        await stream.writeSSE({
          id: entry.id,
          event: entry.event.type,
          data: JSON.stringify(entry.event),
        })
      }
      // Subscribe before reading the log, so nothing published in between is lost; events that
      // arrive meanwhile wait in `early` and are de-duplicated by id.
      const unsubscribe = await events.subscribe(user.id, (entry) => {
        if (!ready) early.push(entry)
        else void send(entry).catch(() => stream.abort())
      })
      let closed = false
      const close = async () => {
        if (closed) return
        closed = true
        await unsubscribe()
      }
      stream.onAbort(() => void close())
      c.req.raw.signal.addEventListener('abort', () => stream.abort())

      try {
        const missed = lastEventId ? await events.since(user.id, lastEventId) : null
        if (missed) {
          lastSent = lastEventId
          for (const entry of missed) await send(entry)
        } else {
          const latest = await events.latestId(user.id)
          const kyc = await currentKyc(user.id)
          await stream.writeSSE({
            ...(latest ? { id: latest } : {}),
            event: 'kyc.updated',
            data: JSON.stringify({ type: 'kyc.updated', kyc } satisfies ShareflowEvent),
          })
          lastSent = latest
        }
        ready = true
        for (const entry of early.splice(0)) await send(entry)
        while (!stream.aborted && !stream.closed) {
          await stream.sleep(heartbeatMs)
          if (stream.aborted || stream.closed) break
          await stream.write(': heartbeat\n\n')
        }
      } catch (error) {
        // The client went away mid-write, or the store failed; either way the stream ends and
        // the client reconnects with Last-Event-ID.
        logger.info('event stream ended', { requestId: c.get('requestId'), error })
      } finally {
        await close()
      }
    })
  })
}

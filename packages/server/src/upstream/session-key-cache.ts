/**
 * Coinflow session keys, kept per user in this BFF instance so a verified user's `GET /session`
 * does not mint a new key each time. A key is reused only while it is young (20 minutes by
 * default) and has plenty of life left (5 minutes), and only for the KYC status it was minted
 * under: any change to the user's status, or a Coinflow answer that no longer knows the user,
 * drops it. The cache is a bounded LRU in memory, never in the store: a key is a bearer
 * credential for its user's hosted pages, so it stays in this process and in that user's browser.
 *
 * Web Standards only.
 *
 * @module
 */
import type { Clock } from '../clock'
import type { EventHub } from '../event-hub'

/**
 * Coinflow documents session keys as valid for 30 minutes (a sample key's `exp` says 24 h); the
 * kit never counts on more than 30.
 */
export const SESSION_KEY_LIFETIME_MS = 30 * 60_000

export interface SessionKeyCacheOptions {
  clock: Clock
  /** Users whose keys are kept; the least recently used is dropped past this. Default 10 000. */
  maxUsers?: number
  /** A key older than this is not handed out again. Default 20 minutes. */
  reuseForMs?: number
  /** A key with less life left than this is not handed out again. Default 5 minutes. */
  minRemainingMs?: number
}

export interface CachedSessionKey {
  key: string
  /** Epoch ms: the key's own `exp` when it has one, capped at 30 minutes after it was minted. */
  expiresAt: number
}

export interface SessionKeyCache {
  /**
   * The user's key when it may be handed out again: minted under the same KYC status
   * (`statusVersion`), young enough, with enough life left. `null` otherwise.
   */
  reuse(userId: string, statusVersion: string): CachedSessionKey | null
  /** Remembers a key just minted for the user under `statusVersion`; returns it with its expiry. */
  remember(userId: string, statusVersion: string, key: string): CachedSessionKey
  /** Drops the user's key (their KYC status changed, or Coinflow no longer knows them). */
  forget(userId: string): void
  /** Users with a key kept. */
  readonly size: number
}

interface Entry extends CachedSessionKey {
  statusVersion: string
  mintedAt: number
}

/**
 * When a session key stops working: its JWT `exp` when it has one, never later than 30 minutes
 * after `mintedAt`. Reads the payload only; the signature is Coinflow's business.
 *
 * @example
 * sessionKeyExpiry(key, clock.now()) // epoch ms
 */
export function sessionKeyExpiry(key: string, mintedAt: number): number {
  const cap = mintedAt + SESSION_KEY_LIFETIME_MS
  const payload = key.split('.')[1]
  if (!payload) return cap
  try {
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as {
      exp?: unknown
    }
    return typeof json.exp === 'number' ? Math.min(cap, json.exp * 1000) : cap
  } catch {
    return cap
  }
}

/**
 * @example
 * const keys = createSessionKeyCache({ clock })
 * const cached = keys.reuse(user.id, status.updatedAt) ?? keys.remember(user.id, status.updatedAt, await coinflow.getSessionKey(user.id))
 */
export function createSessionKeyCache({
  clock,
  maxUsers = 10_000,
  reuseForMs = 20 * 60_000,
  minRemainingMs = 5 * 60_000,
}: SessionKeyCacheOptions): SessionKeyCache {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const entries = new Map<string, Entry>()

  return {
    reuse(userId, statusVersion) {
      const entry = entries.get(userId)
      if (!entry) return null
      const now = clock.now()
      if (
        entry.statusVersion !== statusVersion ||
        now - entry.mintedAt >= reuseForMs ||
        entry.expiresAt - now < minRemainingMs
      ) {
        entries.delete(userId)
        return null
      }
      entries.delete(userId)
      entries.set(userId, entry)
      return { key: entry.key, expiresAt: entry.expiresAt }
    },

    remember(userId, statusVersion, key) {
      const mintedAt = clock.now()
      const entry: Entry = {
        key,
        expiresAt: sessionKeyExpiry(key, mintedAt),
        statusVersion,
        mintedAt,
      }
      entries.delete(userId)
      entries.set(userId, entry)
      if (entries.size > maxUsers) {
        const oldest = entries.keys().next()
        if (!oldest.done) entries.delete(oldest.value)
      }
      return { key, expiresAt: entry.expiresAt }
    },

    forget(userId) {
      entries.delete(userId)
    },

    get size() {
      return entries.size
    },
  }
}

/**
 * The event hub, dropping a user's kept key whenever their KYC status changes (`kyc.updated`): a
 * key is reused only for the status it was minted under, so the next `GET /session` mints anew.
 * Every publisher of KYC news goes through the hub, so none of them can forget to reset the key.
 */
export function forgetKeyOnKycChange(events: EventHub, cache: SessionKeyCache): EventHub {
  return {
    ...events,
    publish(userId, event) {
      if (event.type === 'kyc.updated') cache.forget(userId)
      return events.publish(userId, event)
    },
  }
}

/**
 * Coinflow session keys, kept per user in the shared store so a verified user's `GET /session`
 * does not mint a new key each time, whichever instance answers it. A key is reused only while it
 * is young (20 minutes by default) and has plenty of life left (5 minutes), and only for the KYC
 * status it was minted under: any change to the user's status, or a Coinflow answer that no
 * longer knows the user, drops it on every instance at once (the record is deleted from the
 * store, and a record minted under another status is never handed out).
 *
 * A key is a bearer credential for its user's hosted pages, so the store holds it encrypted
 * (AES-GCM under a key derived from the Coinflow API key, bound to the user and the status): a
 * reader of Redis without the API key learns nothing usable, and one with it could mint keys
 * anyway. The record expires from the store when it may no longer be reused.
 *
 * Web Standards only (Web Crypto).
 *
 * @module
 */
import { z } from 'zod'
import type { Clock } from '../clock'
import type { EventHub } from '../event-hub'
import { getJson, putJson, StoreRecordError } from '../store/records'
import type { ShareflowStore } from '../store/types'

/**
 * Coinflow documents session keys as valid for 30 minutes (a sample key's `exp` says 24 h); the
 * kit never counts on more than 30.
 */
export const SESSION_KEY_LIFETIME_MS = 30 * 60_000

export interface SessionKeyCacheOptions {
  clock: Clock
  /** Where kept keys live: the store every instance shares. */
  store: ShareflowStore
  /**
   * The secret kept keys are encrypted under (the Coinflow API key: whoever holds it can mint
   * keys anyway). Never stored.
   */
  secret: string
  /** A key older than this is not handed out again. Default 20 minutes; 0 keeps none. */
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
  reuse(userId: string, statusVersion: string): Promise<CachedSessionKey | null>
  /** Keeps a key just minted for the user under `statusVersion`; returns it with its expiry. */
  remember(userId: string, statusVersion: string, key: string): Promise<CachedSessionKey>
  /** Drops the user's key on every instance (their KYC status changed, or Coinflow no longer knows them). */
  forget(userId: string): Promise<void>
}

/** What the store holds per user: when and under which status the key was minted, and the key sealed. */
const KeptKey = z.object({
  statusVersion: z.string(),
  mintedAt: z.number().int(),
  expiresAt: z.number().int(),
  /** AES-GCM nonce and ciphertext, base64. */
  iv: z.string(),
  sealed: z.string(),
})
type KeptKey = z.infer<typeof KeptKey>

const storeKey = (userId: string) => `session-key:${userId}`

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
 * const keys = createSessionKeyCache({ clock, store, secret: coinflowApiKey })
 * const kept = (await keys.reuse(user.id, status.updatedAt)) ?? (await keys.remember(user.id, status.updatedAt, await coinflow.getSessionKey(user.id)))
 */
export function createSessionKeyCache({
  clock,
  store,
  secret,
  reuseForMs = 20 * 60_000,
  minRemainingMs = 5 * 60_000,
}: SessionKeyCacheOptions): SessionKeyCache {
  let sealingKey: Promise<CryptoKey> | undefined
  const sealing = () => (sealingKey ??= deriveSealingKey(secret))
  // The user and the status are bound into each ciphertext, so a record copied to another user's
  // key, or rewritten with a newer status, does not open.
  const boundTo = (userId: string, statusVersion: string) =>
    encoder.encode(JSON.stringify([userId, statusVersion]))
  // The last moment a key minted at `mintedAt` that stops working at `expiresAt` may be handed out.
  const reusableUntil = (kept: Pick<KeptKey, 'mintedAt' | 'expiresAt'>) =>
    Math.min(kept.mintedAt + reuseForMs, kept.expiresAt - minRemainingMs)

  return {
    async reuse(userId, statusVersion) {
      const kept = await getJson(store, storeKey(userId), KeptKey).catch((error: unknown) => {
        // A record this version cannot read is not a key anyone may be handed; a store outage is.
        if (error instanceof StoreRecordError) return null
        throw error
      })
      if (!kept) return null
      // Checked here on this instance's clock too: the store's expiry is only its clean-up.
      if (kept.statusVersion !== statusVersion || clock.now() >= reusableUntil(kept)) return null
      try {
        const opened = await crypto.subtle.decrypt(
          {
            name: 'AES-GCM',
            iv: fromBase64(kept.iv),
            additionalData: boundTo(userId, statusVersion),
          },
          await sealing(),
          fromBase64(kept.sealed),
        )
        return { key: new TextDecoder().decode(opened), expiresAt: kept.expiresAt }
      } catch {
        // Sealed under another secret (the API key was rotated) or tampered with: mint anew.
        return null
      }
    },

    async remember(userId, statusVersion, key) {
      const mintedAt = clock.now()
      const expiresAt = sessionKeyExpiry(key, mintedAt)
      const keepForMs = reusableUntil({ mintedAt, expiresAt }) - mintedAt
      if (keepForMs <= 0) return { key, expiresAt }
      const iv = crypto.getRandomValues(new Uint8Array(12))
      const sealed = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: boundTo(userId, statusVersion) },
        await sealing(),
        encoder.encode(key),
      )
      await putJson(
        store,
        storeKey(userId),
        KeptKey,
        {
          statusVersion,
          mintedAt,
          expiresAt,
          iv: toBase64(iv),
          sealed: toBase64(new Uint8Array(sealed)),
        },
        { ttlMs: Math.ceil(keepForMs) },
      )
      return { key, expiresAt }
    },

    async forget(userId) {
      await store.delete(storeKey(userId))
    },
  }
}

const encoder = new TextEncoder()

/** HKDF from the secret to an AES-256-GCM key used for nothing else. */
async function deriveSealingKey(secret: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, [
    'deriveKey',
  ])
  return crypto.subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: encoder.encode('shareflow'),
      info: encoder.encode('shareflow coinflow session-key cache v1'),
    },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  )
}

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes))
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (char) => char.charCodeAt(0))

/**
 * The event hub, dropping a user's kept key whenever their KYC status changes (`kyc.updated`): a
 * key is reused only for the status it was minted under, so the next `GET /session` mints anew.
 * Every publisher of KYC news goes through the hub, so none of them can forget to reset the key.
 */
export function forgetKeyOnKycChange(events: EventHub, cache: SessionKeyCache): EventHub {
  return {
    ...events,
    async publish(userId, event) {
      if (event.type === 'kyc.updated') await cache.forget(userId)
      return events.publish(userId, event)
    },
  }
}

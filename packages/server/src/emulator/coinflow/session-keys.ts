/**
 * Coinflow session keys: short-lived HS256 JWTs minted for one user of one merchant, safe to hand
 * to a browser and to the hosted withdraw page (`?sessionKey=`). Payload `{customerId,
 * merchantId, iat, exp}` as in the sample tokens Coinflow's docs show. Web Crypto only.
 *
 * @see https://docs.coinflow.cash/guides/payouts/bank-auth
 */

export interface SessionClaims {
  customerId: string
  merchantId: string
  /** Unix seconds. */
  iat: number
  /** Unix seconds. */
  exp: number
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

function base64UrlEncode(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function base64UrlDecode(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null
  const padded =
    text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4)
  try {
    return Uint8Array.from(atob(padded), (char) => char.charCodeAt(0))
  } catch {
    return null
  }
}

async function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  )
}

const HEADER = base64UrlEncode(encoder.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' })))

/** Signs a session key for `claims` with the emulator's secret. */
export async function signSessionKey(claims: SessionClaims, secret: string): Promise<string> {
  const body = `${HEADER}.${base64UrlEncode(encoder.encode(JSON.stringify(claims)))}`
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(body))
  return `${body}.${base64UrlEncode(new Uint8Array(mac))}`
}

export type SessionKeyCheck =
  | { ok: true; claims: SessionClaims }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' }

/** Checks the signature (constant time, by Web Crypto) and expiry of a session key. */
export async function verifySessionKey(
  token: string,
  secret: string,
  nowSeconds: number,
): Promise<SessionKeyCheck> {
  const parts = token.split('.')
  if (parts.length !== 3 || token.length > 2048) return { ok: false, reason: 'malformed' }
  const [header, payload, signature] = parts as [string, string, string]
  const mac = base64UrlDecode(signature)
  const payloadBytes = base64UrlDecode(payload)
  if (header !== HEADER || !mac || !payloadBytes) return { ok: false, reason: 'malformed' }
  const valid = await crypto.subtle.verify(
    'HMAC',
    await hmacKey(secret),
    mac as Uint8Array<ArrayBuffer>,
    encoder.encode(`${header}.${payload}`),
  )
  if (!valid) return { ok: false, reason: 'bad_signature' }
  let claims: unknown
  try {
    claims = JSON.parse(decoder.decode(payloadBytes))
  } catch {
    return { ok: false, reason: 'malformed' }
  }
  if (!isClaims(claims)) return { ok: false, reason: 'malformed' }
  if (claims.exp <= nowSeconds) return { ok: false, reason: 'expired' }
  return { ok: true, claims }
}

function isClaims(value: unknown): value is SessionClaims {
  if (typeof value !== 'object' || value === null) return false
  const claims = value as Record<string, unknown>
  return (
    typeof claims.customerId === 'string' &&
    typeof claims.merchantId === 'string' &&
    Number.isInteger(claims.iat) &&
    Number.isInteger(claims.exp)
  )
}

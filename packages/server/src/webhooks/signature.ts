/**
 * Webhook signatures for both vendors. Persona (`Persona-Signature`) and Coinflow
 * (`Coinflow-Signature`) use the same scheme: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
 * t + "." + rawBody)>`; Persona sends two space-separated sets while a secret rotates.
 *
 * The signer lives beside the verifier (as stripe-node's `generateTestHeaderString` does) so the
 * emulator and the tests sign with exactly the code the BFF verifies with. Web Crypto only, so
 * this runs on Node, Workers, Deno, Bun and in the browser (Storybook's in-browser emulator).
 *
 * @see https://docs.withpersona.com/docs/webhooks-best-practices
 * @see https://docs.coinflow.cash/guides/developer-resources/webhooks/verifying-webhook-signatures
 */

const encoder = new TextEncoder()

async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(message)))
  return Array.from(mac, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** Compares two strings in time that depends only on their length, never on where they differ. */
export function timingSafeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a)
  const right = encoder.encode(b)
  // Compare against itself when lengths differ so the loop still runs the same number of times.
  const other = left.length === right.length ? right : left
  let diff = left.length === right.length ? 0 : 1
  for (let i = 0; i < left.length; i++) diff |= left[i]! ^ other[i]!
  return diff === 0
}

export interface SignOptions {
  /** The exact bytes that will be sent, as a string. */
  payload: string
  /** One secret, or several during a rotation (each adds one `t=…,v1=…` set, space-separated). */
  secret: string | readonly string[]
  /** Unix seconds; defaults to now. */
  timestamp?: number
}

/** Builds a `t=…,v1=…` signature header value, the way Persona and Coinflow sign deliveries. */
export async function signWebhook({ payload, secret, timestamp }: SignOptions): Promise<string> {
  const t = timestamp ?? Math.floor(Date.now() / 1000)
  const secrets = typeof secret === 'string' ? [secret] : secret
  const sets = await Promise.all(
    secrets.map(async (s) => `t=${t},v1=${await hmacHex(s, `${t}.${payload}`)}`),
  )
  return sets.join(' ')
}

export interface VerifyOptions {
  /** The raw request body, exactly as received; never re-serialise parsed JSON. */
  payload: string
  /** The signature header value (`Persona-Signature` or `Coinflow-Signature`). */
  header: string | null | undefined
  /** Accepted secrets; more than one while rotating on our side. */
  secret: string | readonly string[]
  /** Maximum age (and future skew) of `t`, in seconds. Default 300. */
  toleranceSeconds?: number
  /** Unix seconds "now"; injectable so tests are deterministic. */
  now?: number
}

export type VerifyResult =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'missing_header' | 'malformed_header' | 'stale_timestamp' | 'no_match' }

/** Parses `t=…,v1=…[ t=…,v1=…]` into its signature sets, dropping anything malformed. */
function parseSignatureHeader(header: string): Array<{ t: number; v1: string[] }> {
  return header
    .trim()
    .split(/\s+/)
    .map((set) => {
      let t = Number.NaN
      const v1: string[] = []
      for (const part of set.split(',')) {
        const eq = part.indexOf('=')
        if (eq <= 0) continue
        const name = part.slice(0, eq)
        const value = part.slice(eq + 1)
        if (name === 't' && /^\d{1,12}$/.test(value)) t = Number(value)
        if (name === 'v1' && /^[0-9a-f]{64}$/i.test(value)) v1.push(value.toLowerCase())
      }
      return { t, v1 }
    })
    .filter((set) => Number.isFinite(set.t) && set.v1.length > 0)
}

/**
 * Verifies a webhook signature header against the raw body, in constant time per comparison.
 * Accepts when any set's timestamp is within tolerance and any of its `v1` values matches any secret.
 */
export async function verifyWebhookSignature({
  payload,
  header,
  secret,
  toleranceSeconds = 300,
  now = Math.floor(Date.now() / 1000),
}: VerifyOptions): Promise<VerifyResult> {
  if (!header) return { ok: false, reason: 'missing_header' }
  // A header longer than a handful of sets is not a signature; refuse it before any HMAC work.
  if (header.length > 1024) return { ok: false, reason: 'malformed_header' }
  const sets = parseSignatureHeader(header)
  if (sets.length === 0) return { ok: false, reason: 'malformed_header' }
  const fresh = sets.filter((set) => Math.abs(now - set.t) <= toleranceSeconds)
  if (fresh.length === 0) return { ok: false, reason: 'stale_timestamp' }
  const secrets = typeof secret === 'string' ? [secret] : secret
  let matched: number | null = null
  for (const set of fresh) {
    for (const s of secrets) {
      const expected = await hmacHex(s, `${set.t}.${payload}`)
      for (const candidate of set.v1) {
        if (timingSafeEqual(expected, candidate)) matched ??= set.t
      }
    }
  }
  return matched === null ? { ok: false, reason: 'no_match' } : { ok: true, timestamp: matched }
}

/** SHA-256 of `text` (UTF-8) as lowercase hex, with Web Crypto (runs everywhere the BFF does). */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/**
 * A vendor-safe idempotency key derived from `kind` and `parts`: a hash, so a user id in the parts
 * never leaves in a header, and the same parts always give the same key (a retry replays).
 */
export async function derivedKey(kind: string, ...parts: string[]): Promise<string> {
  const hex = await sha256Hex([kind, ...parts].join('\u0000'))
  return `sf_${kind}_${hex.slice(0, 32)}`
}

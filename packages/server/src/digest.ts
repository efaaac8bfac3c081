/** SHA-256 of `text` (UTF-8) as lowercase hex, with Web Crypto (runs everywhere the BFF does). */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('')
}

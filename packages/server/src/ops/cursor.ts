/**
 * Opaque page cursors over the store's sorted keys: a cursor is the last key a page showed,
 * encoded, and only a key under the list's own prefix decodes.
 *
 * @module
 */
export function keyCursors(prefix: string) {
  const decode = (cursor: string): string | null => {
    try {
      const key = decodeURIComponent(atob(cursor))
      return key.startsWith(prefix) ? key : null
    } catch {
      return null
    }
  }
  return {
    encode: (key: string) => btoa(encodeURIComponent(key)).replace(/=+$/, ''),
    decode,
    /** Whether `cursor` is one this list made (checked with the request's other input). */
    valid: (cursor: string) => decode(cursor) !== null,
  }
}

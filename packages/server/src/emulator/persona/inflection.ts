/**
 * @module
 * Persona's `Key-Inflection`: responses use kebab-case keys unless the client asks for `camel` or
 * `snake`, and request bodies are accepted in any of the three. Since API version 2025-10-27 the
 * keys *inside* `fields` are left alone (they are the template's own field names).
 */

export type KeyInflection = 'kebab' | 'camel' | 'snake'

export const keyInflections: readonly KeyInflection[] = ['kebab', 'camel', 'snake']

export function kebabKey(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase()
}

function camelKey(key: string): string {
  return key.replace(/[-_]([a-z0-9])/g, (_, char: string) => char.toUpperCase())
}

function snakeKey(key: string): string {
  return kebabKey(key).replace(/-/g, '_')
}

const converters: Record<KeyInflection, (key: string) => string> = {
  kebab: kebabKey,
  camel: camelKey,
  snake: snakeKey,
}

/** Object keys whose children are names chosen by someone else, never inflected. */
const verbatimChildren = new Set(['fields'])

/**
 * Rewrites every object key in `value` to `inflection`, leaving values (and the keys inside
 * `fields`) untouched.
 */
export function inflectKeys(value: unknown, inflection: KeyInflection): unknown {
  const convert = converters[inflection]
  const walk = (node: unknown, verbatim: boolean): unknown => {
    if (Array.isArray(node)) return node.map((item) => walk(item, false))
    if (node === null || typeof node !== 'object') return node
    const out: Record<string, unknown> = {}
    for (const [key, child] of Object.entries(node)) {
      const name = verbatim ? key : convert(key)
      out[name] = verbatim ? child : walk(child, verbatimChildren.has(kebabKey(key)))
    }
    return out
  }
  return walk(value, false)
}

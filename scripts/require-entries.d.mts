/** See require-entries.mjs: `.cjs` and `.d.cts` twins for `entries`, as tsdown's `onSuccess`. */
export function requireEntries(entries: string[]): (config: { outDir: string }) => void

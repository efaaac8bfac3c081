import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The bench package (`bench/`). */
export const benchRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
/** The repository root. */
export const repoRoot = path.resolve(benchRoot, '..')

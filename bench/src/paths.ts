import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The bench package (`bench/`). */
export const benchRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
/** The repository root. */
export const repoRoot = path.resolve(benchRoot, '..')
/** The React kit's package (`packages/react/`). */
export const kitRoot = path.join(repoRoot, 'packages/react')

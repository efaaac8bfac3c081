/// <reference types="node" />
/**
 * Writes `src/wire/schemas.generated.ts`: checks of every BFF response the client reads,
 * translated from the zod schemas in `@shareflow/contract`.
 *
 * Why not ship zod to the browser: zod 4's classic API does not tree-shake (about 27 kB gzip for
 * the contract's handful of schemas, more than twice what the whole kit may weigh). The generated
 * checks cost about 1.5 kB, and `wire.test.ts` fails when they drift from the contract.
 *
 * Run: npx pnpm@10.34.9 --filter @shareflow/react generate:wire
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { format, resolveConfig } from 'prettier'
import { generateWireSource } from './wire-schemas'

const target = fileURLToPath(new URL('../src/wire/schemas.generated.ts', import.meta.url))
const options = await resolveConfig(target)
writeFileSync(target, await format(generateWireSource(), { ...options, filepath: target }))
console.log(`wrote ${target}`)

/**
 * React's JSX runtime, re-exported for the components that render before anything loads lazily
 * (their first line names this folder with `@jsxImportSource`). esbuild keeps one import
 * statement per module for an external package, each with its own local names; through here the
 * kit's first chunk imports React's runtime once (about 90 bytes gzip less, as `peers.ts` does for
 * hooks). Lazily loaded components keep the default `react/jsx-runtime`.
 */
export { Fragment, jsx, jsxs } from 'react/jsx-runtime'
export type { JSX } from 'react/jsx-runtime'

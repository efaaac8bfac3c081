/** The development twin of `./jsx-runtime` (Vite and Vitest compile JSX with `jsxDEV`). */
export { Fragment, jsxDEV } from 'react/jsx-dev-runtime'
export type { JSX } from 'react/jsx-dev-runtime'

/**
 * Everything the initially loaded modules use at runtime from the kit's peers, imported once.
 * esbuild keeps one import statement per importing module for an external package, with its own
 * local names; routed through here the kit ships one for each peer (hundreds of bytes less).
 * Types still come straight from the peers.
 */
export {
  createContext,
  lazy,
  Suspense,
  useContext,
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react'
export {
  keepPreviousData,
  QueryClient,
  queryOptions,
  replaceEqualDeep,
  useMutation,
  useQuery,
} from '@tanstack/react-query'

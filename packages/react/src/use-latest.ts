import { useEffect, useLayoutEffect, useRef } from 'react'

// useLayoutEffect warns during server rendering in React 18; these effects have nothing to do there.
export const useIsomorphicLayoutEffect =
  typeof document === 'undefined' ? useEffect : useLayoutEffect

/**
 * The latest value, for callbacks the host passes: effects read it without re-running, and a
 * new `onVerified` takes effect at once instead of the one captured at mount.
 */
export function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value)
  useIsomorphicLayoutEffect(() => {
    ref.current = value
  })
  return ref
}

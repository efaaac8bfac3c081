import { useState } from 'react'

/**
 * `value` / `defaultValue` / `onChange`, as Radix does: controlled when `value` is not
 * `undefined`, otherwise the component keeps its own.
 */
export function useControllableState<T>(
  value: T | undefined,
  defaultValue: T | undefined,
  onChange: ((next: T) => void) | undefined,
): [T | undefined, (next: T) => void] {
  const [own, setOwn] = useState(defaultValue)
  const controlled = value !== undefined
  return [
    controlled ? value : own,
    (next) => {
      if (!controlled) setOwn(next)
      onChange?.(next)
    },
  ]
}

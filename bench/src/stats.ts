/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** `a / b` rounded to two decimals; `null` when `b` is zero. */
export const ratio = (a: number, b: number): number | null =>
  b === 0 ? null : Math.round((a / b) * 100) / 100

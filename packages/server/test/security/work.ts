/**
 * Test-only: counts the expensive work a request causes, to show a rejection did not do it.
 * HMACs are counted at Web Crypto (`crypto.subtle.sign`, which every signature check calls);
 * JSON parses of one particular body are counted at `JSON.parse`.
 */
import { vi } from 'vitest'

export interface WorkDone {
  /** HMAC computations (`crypto.subtle.sign` calls). */
  hmacs: number
  /** `JSON.parse` calls on exactly `body`. */
  parses: number
}

/** Runs `fn` and reports the HMACs it computed and how often it parsed `body`. */
export async function measureWork<T>(
  body: string,
  fn: () => T | Promise<T>,
): Promise<{ result: Awaited<T>; work: WorkDone }> {
  const work: WorkDone = { hmacs: 0, parses: 0 }
  const subtle = globalThis.crypto.subtle
  const sign = subtle.sign.bind(subtle)
  const parse = JSON.parse
  const signSpy = vi.spyOn(subtle, 'sign').mockImplementation((...args) => {
    work.hmacs++
    return sign(...args)
  })
  const parseSpy = vi.spyOn(JSON, 'parse').mockImplementation((text, reviver) => {
    if (text === body) work.parses++
    return parse(text, reviver)
  })
  try {
    return { result: await fn(), work }
  } finally {
    signSpy.mockRestore()
    parseSpy.mockRestore()
  }
}

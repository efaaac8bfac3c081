import { describe, expect, it } from 'vitest'
import { signedIn, useJourneyWorld } from './journey'

const world = useJourneyWorld()

describe('the demo on a phone', () => {
  it('keeps its header to one row: brand, language, theme and sign out side by side', async () => {
    const { page, assertClean } = await signedIn(world(), 'Jonas Reed')
    await page.setViewportSize({ width: 390, height: 844 })
    const header = page.getByRole('banner')
    await expect.poll(() => header.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true)
    const rows = await header.evaluate((element) => {
      const parts = element.querySelectorAll('.brand, select, button')
      // Each part's vertical middle, to the pixel: one row when all are the same.
      return new Set(
        [...parts].map((part) => {
          const box = part.getBoundingClientRect()
          return Math.round((box.top + box.bottom) / 2 / 8)
        }),
      ).size
    })
    expect(rows).toBe(1)
    // And within the screen's width: nothing scrolls sideways.
    expect(await header.evaluate((element) => element.scrollWidth)).toBeLessThanOrEqual(390)
    // Still named for screen readers, with their labels out of sight.
    await expect.poll(() => header.getByRole('combobox', { name: 'Language' }).count()).toBe(1)
    await expect.poll(() => header.getByRole('link', { name: 'Starfall Arcade' }).count()).toBe(1)
    assertClean()
  })
})

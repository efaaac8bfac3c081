/** Coinflow's `MerchantTheme` for the hosted withdraw page, from the kit's design tokens. */
export interface CoinflowTheme {
  primary: string
  background: string
  cardBackground: string
  backgroundAccent: string
  textColor: string
  textColorAccent: string
  textColorAction: string
  ctaColor: string
  font: string
  style: 'rounded' | 'sharp' | 'pill'
}

/**
 * Coinflow's theme from the CSS variables in effect on `element`: whatever the kit's stylesheet,
 * the host's own CSS or `appearance.variables` set, so Coinflow's page matches the kit (light or
 * dark) with one source of truth. Tokens that are not set are left to Coinflow.
 *
 * The variables are named here rather than derived with `cssVariableName`: this module loads
 * with Coinflow's page, and importing anything the kit's entry imports would split that into a
 * chunk of its own, one more download before the first render.
 */
export function readCoinflowTheme(
  element: Element,
  style: CoinflowTheme['style'] = 'rounded',
): Partial<CoinflowTheme> {
  const css = getComputedStyle(element)
  const token = (name: `--sf-${string}`) => css.getPropertyValue(name).trim() || undefined
  const theme: Partial<CoinflowTheme> = {
    primary: token('--sf-color-primary'),
    background: token('--sf-color-background'),
    cardBackground: token('--sf-color-surface'),
    backgroundAccent: token('--sf-color-surface'),
    textColor: token('--sf-color-text'),
    textColorAccent: token('--sf-color-text-muted'),
    textColorAction: token('--sf-color-on-primary'),
    ctaColor: token('--sf-color-primary'),
    // Coinflow takes a Google Font name, not a CSS font stack.
    font: token('--sf-font-family')?.split(',')[0]?.replace(/["']/g, '').trim(),
    style,
  }
  for (const key of Object.keys(theme) as (keyof CoinflowTheme)[]) {
    if (theme[key] === undefined) delete theme[key]
  }
  return theme
}

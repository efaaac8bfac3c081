/** Design tokens the kit's stylesheet reads as CSS variables (`colorPrimary` → `--sf-color-primary`). */
export interface AppearanceVariables {
  colorPrimary: string
  colorOnPrimary: string
  colorBackground: string
  colorSurface: string
  colorText: string
  colorTextMuted: string
  colorBorder: string
  colorDanger: string
  colorSuccess: string
  colorFocus: string
  fontFamily: string
  fontSize: string
  borderRadius: string
  spacing: string
}

/**
 * How the kit looks. `theme` picks the light or dark palette (switch it at any time: the kit and
 * Coinflow's page follow); `variables` override single tokens.
 *
 * @example <ShareflowProvider appearance={{ theme: 'dark', variables: { colorPrimary: '#7c3aed' } }}>
 */
export interface Appearance {
  theme?: 'light' | 'dark'
  variables?: Partial<AppearanceVariables>
  /** Corner style of Coinflow's page. Defaults to `rounded`. */
  coinflowStyle?: 'rounded' | 'sharp' | 'pill'
}

/** `colorPrimary` → `--sf-color-primary`. */
export const cssVariableName = (token: string) =>
  `--sf-${token.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`

/** Coinflow's `MerchantTheme` for the hosted withdraw page, from the same tokens. */
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
 */
export function readCoinflowTheme(
  element: Element,
  style: CoinflowTheme['style'] = 'rounded',
): Partial<CoinflowTheme> {
  const css = getComputedStyle(element)
  const token = (name: keyof AppearanceVariables) =>
    css.getPropertyValue(cssVariableName(name)).trim() || undefined
  const theme: Partial<CoinflowTheme> = {
    primary: token('colorPrimary'),
    background: token('colorBackground'),
    cardBackground: token('colorSurface'),
    backgroundAccent: token('colorSurface'),
    textColor: token('colorText'),
    textColorAccent: token('colorTextMuted'),
    textColorAction: token('colorOnPrimary'),
    ctaColor: token('colorPrimary'),
    // Coinflow takes a Google Font name, not a CSS font stack.
    font: token('fontFamily')?.split(',')[0]?.replace(/["']/g, '').trim(),
    style,
  }
  for (const key of Object.keys(theme) as (keyof CoinflowTheme)[]) {
    if (theme[key] === undefined) delete theme[key]
  }
  return theme
}

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

// Debian's Chromium, driven by playwright-core: browser downloads fail on our machines, so every
// browser test, story test and end-to-end run launches this one executable with these flags.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
export const launchOptions = { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS }

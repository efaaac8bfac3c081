import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react'
import type { Money } from '@shareflow/contract'

/** The demo's own strings; the kit brings its own for its components (en and de as well). */
const en = {
  brand: 'Starfall Arcade',
  brandTagline: 'Play. Win. Cash out.',
  skipToContent: 'Skip to content',
  signInTitle: 'Choose a demo player',
  signInBody:
    'Each player starts at a different point of the payout journey. Nothing here is real: the identity checks and payouts run on an emulator of Persona and Coinflow.',
  signInAs: 'Sign in as {name}',
  signingIn: 'Signing in…',
  signInFailed: 'Could not sign in. Try again.',
  balanceLabel: 'Balance',
  journey_verified: 'Verified and registered with our payout partner. Ready to cash out.',
  journey_share: 'Verified with Persona earlier; shares that check with the payout partner.',
  journey_new: 'Has never verified: goes through the identity check first.',
  journey_needs_more_info: 'Their check lacks an address, so the payout partner asks for more.',
  journey_declined: 'Their identity check ends declined.',
  journey_iban_eur: 'Lives in Germany; paid to an IBAN in euros.',
  journey_iban_gbp: 'Lives in the UK; paid to a UK bank account in pounds.',
  journey_pix_brl: 'Lives in Brazil; paid by PIX in reais.',
  journey_linked: 'A high roller: verified, with a bank account already linked.',
  walletTitle: 'Wallet',
  walletGreeting: 'Welcome back, {name}',
  availableBalance: 'Available to cash out',
  cashOutTitle: 'Cash out',
  cashOutBody: 'Send your winnings to your bank account, card or PIX key.',
  activityTitle: 'Activity',
  signOut: 'Sign out',
  themeLabel: 'Theme',
  themeLight: 'Light',
  themeDark: 'Dark',
  themeSystem: 'System',
  languageLabel: 'Language',
  loading: 'Loading…',
  loadFailed: 'Something went wrong loading your wallet.',
  retry: 'Try again',
  doneTitle: 'All done',
  doneBody: 'You can close this tab and go back to your wallet.',
  backToWallet: 'Back to your wallet',
  demoNotice: 'Demo: emulated vendors, no real money.',
}
export type MessageKey = keyof typeof en

const de: Record<MessageKey, string> = {
  brand: 'Starfall Arcade',
  brandTagline: 'Spielen. Gewinnen. Auszahlen.',
  skipToContent: 'Zum Inhalt springen',
  signInTitle: 'Demo-Spieler wählen',
  signInBody:
    'Jeder Spieler steht an einer anderen Stelle des Auszahlungswegs. Nichts hier ist echt: Identitätsprüfung und Auszahlung laufen auf einem Emulator von Persona und Coinflow.',
  signInAs: 'Als {name} anmelden',
  signingIn: 'Anmeldung läuft…',
  signInFailed: 'Anmeldung fehlgeschlagen. Bitte erneut versuchen.',
  balanceLabel: 'Guthaben',
  journey_verified: 'Verifiziert und beim Auszahlungspartner registriert. Bereit zur Auszahlung.',
  journey_share: 'Früher bei Persona verifiziert; teilt diese Prüfung mit dem Auszahlungspartner.',
  journey_new: 'Noch nie verifiziert: durchläuft zuerst die Identitätsprüfung.',
  journey_needs_more_info:
    'Der Prüfung fehlt eine Adresse, daher fragt der Auszahlungspartner nach mehr.',
  journey_declined: 'Die Identitätsprüfung wird abgelehnt.',
  journey_iban_eur: 'Wohnt in Deutschland; Auszahlung per IBAN in Euro.',
  journey_iban_gbp:
    'Wohnt im Vereinigten Königreich; Auszahlung auf ein britisches Konto in Pfund.',
  journey_pix_brl: 'Wohnt in Brasilien; Auszahlung per PIX in Real.',
  journey_linked: 'Ein Vielspieler: verifiziert, mit bereits verknüpftem Bankkonto.',
  walletTitle: 'Wallet',
  walletGreeting: 'Willkommen zurück, {name}',
  availableBalance: 'Auszahlbar',
  cashOutTitle: 'Auszahlen',
  cashOutBody: 'Überweise deine Gewinne auf dein Bankkonto, deine Karte oder deinen PIX-Schlüssel.',
  activityTitle: 'Aktivität',
  signOut: 'Abmelden',
  themeLabel: 'Design',
  themeLight: 'Hell',
  themeDark: 'Dunkel',
  themeSystem: 'System',
  languageLabel: 'Sprache',
  loading: 'Wird geladen…',
  loadFailed: 'Beim Laden deiner Wallet ist etwas schiefgelaufen.',
  retry: 'Erneut versuchen',
  doneTitle: 'Fertig',
  doneBody: 'Du kannst diesen Tab schließen und zu deiner Wallet zurückkehren.',
  backToWallet: 'Zurück zur Wallet',
  demoNotice: 'Demo: emulierte Anbieter, kein echtes Geld.',
}

export const LANGUAGES = { en: 'English', de: 'Deutsch' } as const
export type Language = keyof typeof LANGUAGES
const catalogs: Record<Language, Record<MessageKey, string>> = { en, de }

const STORAGE_KEY = 'starfall.language'

function initialLanguage(): Language {
  const fromUrl = new URLSearchParams(location.search).get('lang')
  const stored = fromUrl ?? localStorage.getItem(STORAGE_KEY)
  if (stored === 'en' || stored === 'de') return stored
  return navigator.language.toLowerCase().startsWith('de') ? 'de' : 'en'
}

interface I18n {
  language: Language
  setLanguage(language: Language): void
  t(key: MessageKey, values?: Record<string, string>): string
  money(money: Money): string
  dateTime(iso: string): string
}

const I18nContext = createContext<I18n | null>(null)

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguage] = useState(initialLanguage)
  useEffect(() => {
    document.documentElement.lang = language
    localStorage.setItem(STORAGE_KEY, language)
  }, [language])
  const value = useMemo<I18n>(() => {
    const catalog = catalogs[language]
    const moneyFormats = new Map<string, Intl.NumberFormat>()
    const dateFormat = new Intl.DateTimeFormat(language, {
      dateStyle: 'medium',
      timeStyle: 'short',
    })
    return {
      language,
      setLanguage,
      t: (key, values = {}) =>
        catalog[key].replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole),
      money: ({ cents, currency }) => {
        let format = moneyFormats.get(currency)
        if (!format) {
          format = new Intl.NumberFormat(language, { style: 'currency', currency })
          moneyFormats.set(currency, format)
        }
        return format.format(cents / 100)
      },
      dateTime: (iso) => dateFormat.format(new Date(iso)),
    }
  }, [language])
  return <I18nContext value={value}>{children}</I18nContext>
}

export function useI18n(): I18n {
  const value = useContext(I18nContext)
  if (!value) throw new Error('useI18n must be used within <I18nProvider>')
  return value
}

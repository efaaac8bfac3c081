import { useSignOut, type Player } from './api'
import { LANGUAGES, useI18n, type Language } from './i18n'
import { useTheme, type ThemeChoice } from './theme'

export function Header({ player }: { player?: Player }) {
  const { t, language, setLanguage } = useI18n()
  const { choice, setChoice } = useTheme()
  const signOut = useSignOut()
  return (
    <header className="topbar">
      <a className="brand" href="/">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">{t('brand')}</span>
      </a>
      <div className="topbar-controls">
        <label className="control">
          <span className="control-label">{t('languageLabel')}</span>
          <select
            value={language}
            onChange={(event) => setLanguage(event.target.value as Language)}
          >
            {Object.entries(LANGUAGES).map(([code, name]) => (
              <option key={code} value={code} lang={code}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label className="control">
          <span className="control-label">{t('themeLabel')}</span>
          <select value={choice} onChange={(event) => setChoice(event.target.value as ThemeChoice)}>
            <option value="system">{t('themeSystem')}</option>
            <option value="light">{t('themeLight')}</option>
            <option value="dark">{t('themeDark')}</option>
          </select>
        </label>
        {player && (
          <button
            type="button"
            className="button button-quiet"
            onClick={() => signOut.mutate()}
            disabled={signOut.isPending}
          >
            {t('signOut')}
          </button>
        )}
      </div>
    </header>
  )
}

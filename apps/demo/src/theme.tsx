import {
  createContext,
  useContext,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react'

export type ThemeChoice = 'light' | 'dark' | 'system'
export type Theme = 'light' | 'dark'

const STORAGE_KEY = 'starfall.theme'
const darkQuery = () => window.matchMedia('(prefers-color-scheme: dark)')

function initialChoice(): ThemeChoice {
  const fromUrl = new URLSearchParams(location.search).get('theme')
  const stored = fromUrl ?? localStorage.getItem(STORAGE_KEY)
  return stored === 'light' || stored === 'dark' ? stored : 'system'
}

interface ThemeState {
  choice: ThemeChoice
  /** What is on screen: the choice, or the system's for `system`. */
  theme: Theme
  setChoice(choice: ThemeChoice): void
}

const ThemeContext = createContext<ThemeState | null>(null)

/** Light, dark or the system's; the page's palette and the kit's `appearance` both follow it. */
export function ThemeProvider({ children }: { children: ReactNode }) {
  const [choice, setChoice] = useState(initialChoice)
  const systemDark = useSyncExternalStore(
    (onChange) => {
      const query = darkQuery()
      query.addEventListener('change', onChange)
      return () => query.removeEventListener('change', onChange)
    },
    () => darkQuery().matches,
  )
  const theme: Theme = choice === 'system' ? (systemDark ? 'dark' : 'light') : choice
  useEffect(() => {
    document.documentElement.dataset.theme = theme
    localStorage.setItem(STORAGE_KEY, choice)
  }, [theme, choice])
  const value = useMemo(() => ({ choice, theme, setChoice }), [choice, theme])
  return <ThemeContext value={value}>{children}</ThemeContext>
}

export function useTheme(): ThemeState {
  const value = useContext(ThemeContext)
  if (!value) throw new Error('useTheme must be used within <ThemeProvider>')
  return value
}

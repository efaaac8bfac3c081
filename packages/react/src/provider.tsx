import {
  createContext,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react'
import { QueryClient } from '@tanstack/react-query'
import { cssVariableName, type Appearance } from './appearance'
import { createShareflowClient, type ShareflowClient, type ShareflowClientOptions } from './client'
import { ShareflowError } from './errors'
import { resolveMessages, type ResolvedMessages, type ShareflowLanguage } from './messages'
import { useIsomorphicLayoutEffect } from './use-latest'

export interface ShareflowContextValue {
  client: ShareflowClient
  queryClient: QueryClient
  locale: string
  /** The lazy chunks' own sentences only where a language or the host gave them. */
  messages: ResolvedMessages
  appearance: Appearance
}

const ShareflowContext = createContext<ShareflowContextValue | null>(null)
ShareflowContext.displayName = 'ShareflowContext'

export interface ShareflowProviderProps {
  /** A client you created; otherwise the provider creates one from `baseUrl` (and `fetch`). */
  client?: ShareflowClient
  baseUrl?: string
  fetch?: ShareflowClientOptions['fetch']
  /**
   * Defaults to the kit's own QueryClient, so the kit never reads or clears your app's cache.
   * Pass one to share it (the kit's keys all start with `'shareflow'`).
   */
  queryClient?: QueryClient
  /**
   * BCP 47 locale for text, money and dates. Defaults to `en`. The kit's German loads on demand
   * for `de-*` (English shows meanwhile); pass `messages={de}` (from `@shareflow/react/locales/de`)
   * to have it up front.
   */
  locale?: string
  /** Replaces any of the kit's strings, or all of them (a language of your own). */
  messages?: Partial<ShareflowLanguage>
  appearance?: Appearance
  children?: ReactNode
}

/** Languages the kit ships besides English, each a chunk of its own. */
const languages: Record<string, () => Promise<ShareflowLanguage>> = {
  de: () => import('./locales/de').then((module) => module.de),
}

/** The bundled messages for `locale`'s language, loading them on first use. */
function useLanguage(locale: string): ShareflowLanguage | undefined {
  const language = locale.slice(0, 2).toLowerCase()
  const [loaded, setLoaded] = useState<Record<string, ShareflowLanguage>>({})
  useEffect(() => {
    let current = true
    if (!loaded[language]) {
      void languages[language]?.().then((messages) => {
        if (current) setLoaded((all) => ({ ...all, [language]: messages }))
      })
    }
    return () => {
      current = false
    }
  }, [language, loaded])
  return loaded[language]
}

/** Retries what can succeed later (network, 5xx, 429), never a 4xx that will fail again. */
const retryTransient = (failures: number, error: unknown) =>
  failures < 3 && (!(error instanceof ShareflowError) || error.retryable)

/**
 * Gives the kit's components and hooks their BFF client, cache, locale and look.
 *
 * @example
 * <ShareflowProvider baseUrl="/api/shareflow" locale="de-DE" appearance={{ theme: 'dark' }}>
 *   <KycShareGate><PayoutQuote defaultAmount={50_00} currency="EUR" /></KycShareGate>
 * </ShareflowProvider>
 */
export function ShareflowProvider(props: ShareflowProviderProps) {
  const { client, baseUrl, fetch, locale = 'en', messages, appearance, children } = props
  if (!client && baseUrl === undefined) {
    throw new Error("`<ShareflowProvider>` needs a `client` or the BFF's `baseUrl`")
  }
  const ownClient = useMemo(
    () => client ?? createShareflowClient({ baseUrl: baseUrl!, fetch }),
    [client, baseUrl, fetch],
  )
  const [ownQueryClient] = useState(
    () => new QueryClient({ defaultOptions: { queries: { retry: retryTransient } } }),
  )
  const queryClient = props.queryClient ?? ownQueryClient
  const language = useLanguage(locale)
  useEffect(() => {
    queryClient.mount()
    return () => queryClient.unmount()
  }, [queryClient])

  // Hosts often pass these inline; compare by content so the kit does not re-render on every render.
  const messagesKey = JSON.stringify(messages ?? {})
  const appearanceKey = JSON.stringify(appearance ?? {})
  const value = useMemo<ShareflowContextValue>(
    () => ({
      client: ownClient,
      queryClient,
      locale,
      messages: resolveMessages(language, JSON.parse(messagesKey)),
      appearance: JSON.parse(appearanceKey),
    }),
    [ownClient, queryClient, locale, language, messagesKey, appearanceKey],
  )
  return <ShareflowContext.Provider value={value}>{children}</ShareflowContext.Provider>
}

/** The provider's value; throws a message naming the hook when there is no provider. */
export function useShareflow(consumer = 'useShareflow'): ShareflowContextValue {
  const value = useContext(ShareflowContext)
  if (!value) throw new Error(`\`${consumer}\` must be used within \`<ShareflowProvider>\``)
  return value
}

/**
 * For a component's root element: the appearance's tokens as CSS variables, set through the
 * CSSOM (allowed under a strict Content-Security-Policy, unlike a `style` attribute).
 */
export function useThemeRoot<E extends HTMLElement>(appearance: Appearance) {
  const ref = useRef<E>(null)
  const variables = appearance.variables
  useIsomorphicLayoutEffect(() => {
    const element = ref.current
    if (!element || !variables) return
    const names = Object.keys(variables) as (keyof typeof variables)[]
    for (const name of names) element.style.setProperty(cssVariableName(name), variables[name]!)
    return () => {
      for (const name of names) element.style.removeProperty(cssVariableName(name))
    }
  }, [variables])
  return { ref, 'data-shareflow': '', 'data-theme': appearance.theme ?? 'light' }
}

import type { InquiryLink } from '@shareflow/contract'

export interface PersonaEmbeddedFlowOptions {
  /**
   * Where Persona's flow is served, as the SDK's `customHost` takes it: a custom domain of yours
   * (`verify.example.com`), or the emulator's hosted pages in a sandbox (`localhost:3000`, served
   * over http). Default: Persona's own (`https://inquiry.withpersona.com`).
   */
  host?: string
  /** Language of Persona's screens, e.g. the provider's `locale`. Default: Persona's choice. */
  language?: string
  /** The modal frame's accessible name, in the user's language. Default (the SDK's): "Verify your identity". */
  title?: string
  /**
   * Persona's modal closed: the person finished the flow (`completed`, also when Persona failed
   * them), left it (`exited`), or it could not start (`error`). The gate needs nothing from this:
   * Persona's webhook tells the BFF, whose event stream moves the gate on.
   */
  onClose?(outcome: 'completed' | 'exited' | 'error'): void
}

interface OpenClient {
  open(): void
  destroy(): void
}

/** At most one Persona modal on a page: opening another closes the one before. */
let current: OpenClient | undefined

/**
 * An `openInquiry` for `<KycShareGate>` that runs the user's inquiry in Persona's own modal on
 * this page, with Persona's official `persona` SDK (installed by the host, and loaded the first
 * time a user starts verifying), instead of opening the one-time link in another tab. The SDK
 * resumes the inquiry the BFF made, from its id and session token.
 *
 * The page's Content-Security-Policy must allow the frame: `frame-src
 * https://inquiry.withpersona.com` (or your `host`).
 *
 * @example
 * const openInquiry = createPersonaEmbeddedFlow({ language: 'de', title: 'Identität bestätigen' })
 * <KycShareGate openInquiry={openInquiry}>…</KycShareGate>
 */
export function createPersonaEmbeddedFlow(
  options: PersonaEmbeddedFlowOptions = {},
): (link: InquiryLink) => void {
  return (link) => {
    // Loaded on first use, never at import: an optional peer the payee kit does not carry.
    import('persona').then(
      ({ Client }) => {
        current?.destroy()
        // The SDK draws its overlay straight into <body> (on a phone it hides every other child
        // of <body>): the new child the constructor appends is it.
        const before = new Set(document.body.children)
        let closed = false
        const close = (outcome: 'completed' | 'exited' | 'error') => {
          if (closed) return
          closed = true
          // After the SDK's own callback has run: it still reads its overlay.
          queueMicrotask(() => {
            if (current === client) current = undefined
            client.destroy()
          })
          options.onClose?.(outcome)
        }
        const client: OpenClient = new Client({
          inquiryId: link.inquiryId,
          // A created inquiry opens with its id; a started one needs its session token.
          ...(link.sessionToken ? { sessionToken: link.sessionToken } : {}),
          ...(options.host ? { host: options.host } : {}),
          ...(options.language ? { language: options.language } : {}),
          ...(options.title ? { iframeTitle: options.title } : {}),
          onReady: () => {
            client.open()
            // The SDK opens its modal but leaves focus on the page behind it.
            overlay?.querySelector('iframe')?.focus()
          },
          // The fields Persona sends with it are the user's answers: the kit never keeps them.
          onComplete: () => close('completed'),
          onCancel: () => close('exited'),
          onError: () => close('error'),
        })
        const overlay = [...document.body.children].find((child) => !before.has(child))
        // The SDK puts role=dialog on the iframe itself, which ARIA does not allow (axe:
        // aria-allowed-role); the overlay holding it is the dialog instead.
        const frame = overlay?.querySelector('iframe')
        if (overlay && frame) {
          frame.removeAttribute('role')
          frame.removeAttribute('aria-modal')
          overlay.setAttribute('role', 'dialog')
          overlay.setAttribute('aria-modal', 'true')
          overlay.setAttribute('aria-label', frame.title)
        }
        current = client
      },
      () => options.onClose?.('error'),
    )
  }
}

import { useEffect, useRef, useState, type ComponentType, type ReactNode } from 'react'
import type { Appearance } from '../appearance'
import type { ResolvedMessages } from '../messages'
import type { CoinflowLinkInfo, CoinflowLinkProps } from './coinflow-messages'
import { linkEn } from './link-messages'
import { readCoinflowTheme, type CoinflowTheme } from './coinflow-theme'
import { CoinflowWithdrawFrame } from './coinflow-withdraw-frame'

export interface LinkDialogProps extends Omit<
  CoinflowLinkProps,
  'theme' | 'title' | 'loadingLabel'
> {
  /** Coinflow's theme is read from the kit's CSS variables, so it follows `appearance`. */
  appearance: Appearance
  /**
   * Draws the dialog's heading element, with `id` `headingId`, around `text`. Drawn by the
   * button, so that this chunk imports nothing the kit's entry imports (see coinflow-theme.ts).
   */
  heading(text: string): ReactNode
  headingId: string
  /** The provider's strings; this dialog's own fall back to the English in its chunk. */
  messages: ResolvedMessages
  /** Defaults to the kit's own frame. */
  Coinflow?: ComponentType<CoinflowLinkProps>
  onClose(): void
}

/**
 * Coinflow's page in a modal `<dialog>`: the browser traps focus inside, makes the page behind
 * it inert, closes it on Escape and returns focus to the button that opened it. Loaded with the
 * frame when a user first needs it, not with the kit.
 *
 * An account Coinflow cannot link (`accountNotLinked` with reason `failed`, an ineligible card
 * say) is not a cancel: the dialog stays open on Coinflow's page, where the user can enter
 * another, and says what failed. Only a cancel (`canceled`) closes it.
 */
export default function LinkDialog(props: LinkDialogProps) {
  const { heading, headingId, Coinflow = CoinflowWithdrawFrame, onClose } = props
  const m = { ...linkEn, ...props.messages }
  const dialog = useRef<HTMLDialogElement>(null)
  const [theme, setTheme] = useState<Partial<CoinflowTheme>>()
  const [failed, setFailed] = useState<CoinflowLinkInfo>()
  useEffect(() => {
    const element = dialog.current!
    const opener = document.activeElement
    if (!element.open) element.showModal()
    return () => {
      element.close()
      // The dialog leaves the DOM before this runs, so the browser cannot hand focus back itself.
      if (opener instanceof HTMLElement) opener.focus()
    }
  }, [])
  // The dialog sits inside the component's themed root, so it sees the same variables; read
  // again when the appearance changes (e.g. the host switches to dark mode).
  useEffect(() => {
    setTheme(readCoinflowTheme(dialog.current!, props.appearance.coinflowStyle))
  }, [props.appearance])
  return (
    <dialog
      ref={dialog}
      className="sf-dialog"
      aria-labelledby={headingId}
      onCancel={(event) => {
        event.preventDefault()
        onClose()
      }}
    >
      <div className="sf-dialog-header">
        {heading(m.frameHeading)}
        <button type="button" className="sf-button sf-secondary" onClick={onClose}>
          {m.frameClose}
        </button>
      </div>
      {failed && (
        <p className="sf-field-error" role="alert">
          {failed.type === 'card' ? m.frameLinkFailedCard : m.frameLinkFailed}
        </p>
      )}
      {theme && (
        <Coinflow
          session={props.session}
          theme={theme}
          title={m.frameTitle}
          loadingLabel={m.frameLoading}
          onLoad={props.onLoad}
          onLinked={props.onLinked}
          onNotLinked={(info) =>
            info.reason === 'failed' ? setFailed(info) : props.onNotLinked?.(info)
          }
        />
      )}
    </dialog>
  )
}

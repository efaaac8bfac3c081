import { useEffect, useId, useRef, useState, type ComponentType } from 'react'
import { readCoinflowTheme, type Appearance, type CoinflowTheme } from '../appearance'
import { Heading, type HeadingLevel } from '../ui'
import type { CoinflowLinkProps } from './coinflow-messages'
import { CoinflowWithdrawFrame } from './coinflow-withdraw-frame'

export interface LinkDialogProps extends Omit<CoinflowLinkProps, 'theme'> {
  /** Coinflow's theme is read from the kit's CSS variables, so it follows `appearance`. */
  appearance: Appearance
  heading: string
  closeLabel: string
  headingLevel: HeadingLevel
  /** Defaults to the kit's own frame. */
  Coinflow?: ComponentType<CoinflowLinkProps>
  onClose(): void
}

/**
 * Coinflow's page in a modal `<dialog>`: the browser traps focus inside, makes the page behind
 * it inert, closes it on Escape and returns focus to the button that opened it. Loaded with the
 * frame when a user first needs it, not with the kit.
 */
export default function LinkDialog(props: LinkDialogProps) {
  const { heading, closeLabel, headingLevel, Coinflow = CoinflowWithdrawFrame, onClose } = props
  const dialog = useRef<HTMLDialogElement>(null)
  const headingId = useId()
  const [theme, setTheme] = useState<Partial<CoinflowTheme>>()
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
        <Heading level={headingLevel} id={headingId}>
          {heading}
        </Heading>
        <button type="button" className="sf-button sf-secondary" onClick={onClose}>
          {closeLabel}
        </button>
      </div>
      {theme && (
        <Coinflow
          session={props.session}
          theme={theme}
          title={props.title}
          loadingLabel={props.loadingLabel}
          onLoad={props.onLoad}
          onLinked={props.onLinked}
          onNotLinked={props.onNotLinked}
        />
      )}
    </dialog>
  )
}

import { useEffect, useRef, useState, type ReactNode, type RefObject } from 'react'
import type { ShareflowError } from './errors'
import { fill, type ResolvedMessages } from './messages'

export const cx = (...names: (string | false | undefined)[]) => names.filter(Boolean).join(' ')

/**
 * A polite live region announcing `message`. It renders empty on the server and on the first
 * client render, then fills in, so screen readers announce the change and a page without the
 * kit's stylesheet never flashes the text.
 */
export function LiveRegion({ message }: { message: string }) {
  const [mounted, setMounted] = useState(false)
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => {
    // Visually hidden through the CSSOM, which a strict CSP allows, in case styles.css is absent.
    Object.assign(ref.current!.style, {
      position: 'absolute',
      width: '1px',
      height: '1px',
      overflow: 'hidden',
      clipPath: 'inset(50%)',
      whiteSpace: 'nowrap',
    })
    setMounted(true)
  }, [])
  return (
    <div ref={ref} role="status" aria-live="polite" aria-atomic="true" className="sf-live">
      {mounted ? message : ''}
    </div>
  )
}

export const Spinner = () => <span className="sf-spinner" aria-hidden="true" />

export type HeadingLevel = 2 | 3 | 4

export function Heading(props: {
  level: HeadingLevel
  id?: string
  headingRef?: RefObject<HTMLHeadingElement | null>
  children: ReactNode
}) {
  const Tag = `h${props.level}` as const
  return (
    <Tag ref={props.headingRef} id={props.id} tabIndex={-1} className="sf-title">
      {props.children}
    </Tag>
  )
}

/**
 * Moves focus to `target` when `key` changes after mount, if focus was lost with the old screen
 * (on `<body>`) or sat inside `container`; never steals it from elsewhere on the host's page.
 */
export function useFocusOnChange(
  key: string,
  container: RefObject<HTMLElement | null>,
  target: RefObject<HTMLElement | null>,
) {
  const shown = useRef(key)
  useEffect(() => {
    if (shown.current === key) return
    shown.current = key
    // A removed element leaves focus on <body> (`activeElement` is null only without a body).
    const active = document.activeElement
    if (container.current?.contains(active) || active === document.body) {
      // Without scrolling, so the page stays where the user is reading (a long host page).
      target.current?.focus({ preventScroll: true })
    }
  }, [key, container, target])
}

/** A user-readable sentence for an error, in the provider's language, with its reference. */
export function ErrorDetails({
  error,
  messages,
}: {
  error: ShareflowError
  messages: ResolvedMessages
}) {
  // `payout_refused` carries the host's own reason (e.g. "Insufficient balance"), meant for users.
  const text =
    error.code === 'payout_refused' && error.message
      ? error.message
      : messages[`error_${error.code}`]
  return (
    <>
      <p className="sf-body">{text}</p>
      {error.requestId && (
        <p className="sf-reference">{fill(messages.reference, { requestId: error.requestId })}</p>
      )}
    </>
  )
}

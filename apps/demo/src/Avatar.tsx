/** Initials on a colour picked from the player id, so each player keeps one colour. */
const HUES = [262, 199, 152, 24, 330, 48, 188, 286, 12]

export function Avatar({
  id,
  name,
  size = 'md',
}: {
  id: string
  name: string
  size?: 'md' | 'lg'
}) {
  let hash = 0
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) >>> 0
  const initials = name
    .split(/\s+/)
    .map((part) => part[0])
    .join('')
    .slice(0, 2)
  return (
    <span
      className={`avatar avatar-${size}`}
      data-hue={HUES[hash % HUES.length]}
      aria-hidden="true"
    >
      {initials}
    </span>
  )
}

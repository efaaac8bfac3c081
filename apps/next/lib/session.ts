import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { findUser, type ExampleUser } from './users'

/**
 * The platform's own sign-in: an HttpOnly cookie naming the user, signed with a secret. Shareflow
 * never reads it; the BFF's `getUser` asks this module, which is where a host plugs in its own
 * session (NextAuth, Clerk, a JWT …).
 */
export const SESSION_COOKIE = 'example_session'

// Random per process unless set: restarting the example signs everyone out, which is harmless.
const secret = process.env.SESSION_SECRET ?? randomBytes(32).toString('base64url')
const sign = (userId: string) => createHmac('sha256', secret).update(userId).digest('base64url')

export const sessionCookieFor = (user: ExampleUser) => `${user.id}.${sign(user.id)}`

export function userFromSessionCookie(value: string | undefined): ExampleUser | undefined {
  if (!value) return undefined
  const dot = value.lastIndexOf('.')
  const userId = value.slice(0, dot)
  const given = Buffer.from(value.slice(dot + 1))
  const expected = Buffer.from(sign(userId))
  const valid = dot > 0 && given.length === expected.length && timingSafeEqual(given, expected)
  return valid ? findUser(userId) : undefined
}

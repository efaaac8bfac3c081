import { cookies } from 'next/headers'
import { SESSION_COOKIE, userFromSessionCookie } from './session'

/** Who is signed in, for server components and actions (the BFF reads the same cookie). */
export async function currentUser() {
  return userFromSessionCookie((await cookies()).get(SESSION_COOKIE)?.value)
}

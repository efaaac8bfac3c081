'use server'

import { cookies } from 'next/headers'
import { redirect } from 'next/navigation'
import { SESSION_COOKIE, sessionCookieFor } from '../lib/session'
import { findUser } from '../lib/users'

/** The example's sign-in: pick a user. A host has its own sign-in; Shareflow only asks who it is. */
export async function signIn(form: FormData) {
  const user = findUser(String(form.get('user')))
  if (!user) redirect('/')
  const jar = await cookies()
  jar.set(SESSION_COOKIE, sessionCookieFor(user), {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: process.env.NODE_ENV === 'production' && process.env.INSECURE_COOKIES !== '1',
  })
  redirect('/wallet')
}

export async function signOut() {
  const jar = await cookies()
  jar.delete(SESSION_COOKIE)
  redirect('/')
}

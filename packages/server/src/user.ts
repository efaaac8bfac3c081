/**
 * Who the signed-in user is, as the host's own auth says: `getUser(c)` from the host, checked and
 * cached on the request. A user id is never read from anything the browser sends to the BFF.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from 'hono'
import { ApiError } from './errors'

/** The signed-in user, as the host's own auth knows them. */
export interface ShareflowUser {
  /** The host's stable user id: Persona's reference id and Coinflow's user id. */
  id: string
  /** Sent to Coinflow when registering the withdrawer. */
  email: string
  /** ISO 3166-1 alpha-2. */
  country?: string
  /** The user's completed Persona inquiry, when the host already knows it. */
  personaInquiryId?: string
  /**
   * Set when the user is paid as a business (a marketplace seller, an agency, a creator's LLC):
   * the business's own id in the host's records, which becomes Persona's transaction reference
   * and Coinflow's user id for the business. Only the host says so, never the browser.
   */
  business?: { id: string }
}

/**
 * The host's auth: who is signed in for this request, or `null` (→ 401). The user id is never
 * read from anything the browser sends to the BFF.
 */
export type GetUser = (c: Context) => ShareflowUser | null | Promise<ShareflowUser | null>

/**
 * The request variables user resolution reads and writes: part of every Shareflow route's
 * environment (`ShareflowEnv`), spelled here so this module needs nothing else of the app.
 */
export interface UserEnv {
  Variables: { user: ShareflowUser | undefined; shareflow: { getUser: GetUser } }
}

const text = (value: unknown, min: number, max: number): value is string =>
  typeof value === 'string' && value.length >= min && value.length <= max

/**
 * The host's user with only the fields the BFF knows, each checked, or `null` when one is
 * unusable. Checked by hand rather than by a schema: it runs on every request.
 */
function usableUser(found: ShareflowUser): ShareflowUser | null {
  const { id, email, country, personaInquiryId, business } = found
  if (!text(id, 1, 256) || !text(email, 3, 320)) return null
  if (country !== undefined && !text(country, 2, 2)) return null
  if (personaInquiryId !== undefined && !text(personaInquiryId, 1, 64)) return null
  if (business !== undefined && (typeof business !== 'object' || !text(business?.id, 1, 256))) {
    return null
  }
  return {
    id,
    email,
    ...(country ? { country } : {}),
    ...(personaInquiryId ? { personaInquiryId } : {}),
    ...(business ? { business: { id: business.id } } : {}),
  }
}

/**
 * The signed-in user for this request, from the host's `getUser`; `unauthenticated` (401) when
 * there is none. Cached on the context.
 */
export async function requireUser<E extends UserEnv>(c: Context<E>): Promise<ShareflowUser> {
  const cached = c.get('user')
  if (cached) return cached
  const found = await c.get('shareflow').getUser(c)
  if (!found) throw new ApiError('unauthenticated', 'Sign in to continue.')
  const user = typeof found === 'object' ? usableUser(found) : null
  if (!user) {
    throw new ApiError('internal', 'Something went wrong on our side.', {
      cause: new Error('getUser returned a user without a usable id or email'),
    })
  }
  c.set('user', user)
  return user
}

/** Middleware: refuses the request (401) unless the host says someone is signed in. */
export const signedIn: MiddlewareHandler<UserEnv> = async function signedIn(c, next) {
  await requireUser(c)
  await next()
}

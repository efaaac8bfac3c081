import { redirect } from 'next/navigation'
import { currentUser } from '../lib/current-user'
import { USERS } from '../lib/users'
import { signIn } from './actions'

export default async function SignInPage() {
  if (await currentUser()) redirect('/wallet')
  return (
    <main>
      <h1>Sign in</h1>
      <p>Pick a user. Persona and Coinflow are emulated in this process: no keys, no real money.</p>
      <ul className="users">
        {USERS.map((user) => (
          <li key={user.id}>
            <form action={signIn}>
              <input type="hidden" name="user" value={user.id} />
              <button type="submit">Sign in as {user.name}</button>
            </form>
          </li>
        ))}
      </ul>
    </main>
  )
}

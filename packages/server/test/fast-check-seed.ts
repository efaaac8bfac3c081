/**
 * Every property test in the server project draws from one seed: `SHAREFLOW_FUZZ_SEED` when set
 * (to replay a failure: fast-check prints the seed), otherwise one derived from the checked-out
 * commit. So a commit that passed here passes the same way in CI, while each new commit still
 * explores inputs no earlier run tried.
 */
import { execFileSync } from 'node:child_process'
import fc from 'fast-check'

function commitSeed(): number {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: 'pipe' })
    return Number.parseInt(head.slice(0, 8), 16) | 0
  } catch {
    // Not a git checkout (an unpacked tarball): any fixed seed keeps runs repeatable.
    return 20_261_122
  }
}

const fromEnv = process.env.SHAREFLOW_FUZZ_SEED
fc.configureGlobal({ seed: fromEnv ? Number(fromEnv) : commitSeed() })

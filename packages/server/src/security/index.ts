/**
 * The BFF's browser-facing defences, each one middleware that `createShareflowApp` mounts:
 * security headers, a CORS allowlist, per-user and per-address rate limits, and a request
 * timeout. `app.ts` itself keeps the body-size limit and the same-site check for writes.
 *
 * @module
 */
export { corsAllowlist, checkAllowedOrigins, CorsConfigurationError } from './cors'
export {
  defaultRateLimits,
  nodePeerAddress,
  normalizeAddress,
  rateLimits,
  type RateLimit,
  type RateLimitOptions,
} from './rate-limit'
export { apiSecurityHeaders } from './secure-headers'
export { DEFAULT_REQUEST_TIMEOUT_MS, requestTimeout, timeLeftMs } from './timeout'
export { findLeaks, type KnownSensitiveValues, type LeakFinding } from './leaks'

/**
 * The BFF's browser-facing defences, each one middleware that `createShareflowApp` mounts:
 * security headers, a CORS allowlist, a body-size limit, the same-site check for writes,
 * per-user and per-address rate limits, and a request timeout; and the leak finder the tests use.
 *
 * @module
 */
export { limitBodies, limitsBody } from './body-limit'
export { corsAllowlist, checkAllowedOrigins, CorsConfigurationError } from './cors'
export {
  defaultRateLimits,
  nodePeerAddress,
  normalizeAddress,
  rateLimits,
  type RateLimit,
  type RateLimitOptions,
} from './rate-limit'
export { checksSameSite, sameSiteWrites } from './same-site-writes'
export { apiSecurityHeaders } from './secure-headers'
export { DEFAULT_REQUEST_TIMEOUT_MS, requestTimeout, timeLeftMs } from './timeout'
export { findLeaks, type KnownSensitiveValues, type LeakFinding } from './leaks'

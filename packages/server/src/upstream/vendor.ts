/** The two vendors the BFF talks to: a module of its own, so telemetry and the transport both sit above it. */
export type Vendor = 'persona' | 'coinflow'

// The few Bun and Deno globals the runtime hosts use; the runtimes bring their own full types.
declare namespace Bun {
  function serve(options: {
    hostname: string
    port: number
    fetch(
      request: Request,
      server: { requestIP(request: Request): { address: string } | null },
    ): Response | Promise<Response>
  }): { url: URL }
}
declare namespace Deno {
  const env: { get(name: string): string | undefined; toObject(): Record<string, string> }
  function serve(
    options: {
      hostname: string
      port: number
      onListen(address: { port: number }): void
    },
    handler: (
      request: Request,
      info: { remoteAddr: { hostname: string } },
    ) => Response | Promise<Response>,
  ): unknown
}

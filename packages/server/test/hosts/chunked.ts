/**
 * A request body that arrives in 4 KiB chunks with no Content-Length, as a streaming client sends
 * it: the BFF's body limit has to count it as it comes in.
 */
export const chunkedBody = (text: string) =>
  ({
    body: new ReadableStream({
      start(controller) {
        for (let at = 0; at < text.length; at += 4096) {
          controller.enqueue(new TextEncoder().encode(text.slice(at, at + 4096)))
        }
        controller.close()
      },
    }),
    duplex: 'half',
  }) as RequestInit

/** The response object of Fastify (`reply.header`) or Express (`res.header`), or a bare Node one. */
interface HeaderTarget {
  header?: (name: string, value: string) => unknown;
  setHeader?: (name: string, value: string) => unknown;
}

/**
 * Marks a response of a protected route as never to be stored by a cache (`Cache-Control:
 * no-store`, RFC 9111 §5.2.2.5): what it holds was released to one token's holder, and a shared
 * cache in between must not hand it to the next caller. Set before the token is checked, so the
 * 401 and 403 answers carry it too; a handler that sets its own `Cache-Control` still wins.
 */
export function markNoStore(response: unknown): void {
  const target = response as HeaderTarget | undefined;
  if (typeof target?.header === 'function') target.header('cache-control', 'no-store');
  else if (typeof target?.setHeader === 'function') target.setHeader('cache-control', 'no-store');
}

/** What is read of the HTTP request to know the URL it was sent to (Fastify's or Express's). */
export interface UrlOfRequest {
  method?: string;
  url?: string;
  originalUrl?: string;
  protocol?: string;
  host?: string;
  headers?: Record<string, unknown>;
}

/**
 * The URL the request was sent to, without query or fragment (RFC 9449 §4.3: what `htu` must
 * name): `publicUrl` and the path when the API knows its external URL, else the request's own
 * protocol (Fastify honours its trustProxy setting) and Host header. Undefined when there is none.
 */
export function requestUrl(
  request: UrlOfRequest,
  publicUrl: string | undefined,
): string | undefined {
  const target = request.originalUrl ?? request.url ?? '/';
  const query = target.indexOf('?');
  const path = query === -1 ? target : target.slice(0, query);
  if (publicUrl !== undefined) return `${publicUrl}${path}`;
  const host = request.host ?? request.headers?.host;
  if (typeof host !== 'string' || host === '') return undefined;
  return `${request.protocol ?? 'http'}://${host}${path}`;
}

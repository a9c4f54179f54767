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

/**
 * A URL compared as RFC 9449 §4.3 asks (RFC 3986 §6.2.2-6.2.3 normalisation: scheme and host
 * case, default port, dot segments, percent-encoding) without query and fragment; undefined when
 * it is not an absolute http(s) URL.
 */
export function normalizedHtu(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  return `${parsed.origin}${decodeUnreserved(parsed.pathname)}`;
}

/** %41 and A are the same path (RFC 3986 §2.3); other escapes keep upper-case hex. */
function decodeUnreserved(path: string): string {
  return path.replace(/%([0-9a-fA-F]{2})/g, (escape, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(char) ? char : escape.toUpperCase();
  });
}

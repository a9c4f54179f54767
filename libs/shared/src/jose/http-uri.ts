/**
 * A URL compared as RFC 9449 §4.3 asks for `htu` (RFC 3986 §6.2.2-6.2.3 normalisation: scheme and
 * host case, default port, dot segments, percent-encoding of unreserved characters), without
 * query and fragment; undefined when it is not an absolute http(s) URL.
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

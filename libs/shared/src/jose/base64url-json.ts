/**
 * Decodes one base64url part of a compact JWS (RFC 7515 §7.1) as a JSON object; undefined when
 * it is not one (bad encoding, bad JSON, an array or a primitive). Verifies nothing.
 */
export function decodeBase64UrlJsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

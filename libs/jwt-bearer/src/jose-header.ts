import { decodeBase64UrlJsonObject } from '@app/shared';

/** The parts of a JWS protected header (RFC 7515 §4.1) this module reads. */
export interface JoseHeader {
  alg?: unknown;
  kid?: unknown;
  typ?: unknown;
}

/** Reads a compact JWS's header without verifying anything; undefined when it is not one. */
export function decodeJoseHeader(compactJws: string): JoseHeader | undefined {
  const [encodedHeader] = compactJws.split('.', 1);
  return decodeBase64UrlJsonObject(encodedHeader);
}

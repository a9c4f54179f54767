import { hasDuplicateMemberNames } from './json-duplicate-members';

/**
 * A compact JWS (RFC 7515 §7.1) read but not yet verified: what every token, proof and assertion
 * the product receives is before its key is known. Header and claims set are what was signed,
 * parsed; a reader that hands the claims on freezes them itself.
 */
export interface CompactJws {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  /** The ASCII bytes the signature covers: `BASE64URL(header).BASE64URL(payload)`. */
  readonly signingInput: Buffer;
  readonly signature: Buffer;
}

/** Why a string is not a compact JWS we read; each reader words it for its own protocol. */
export type MalformedJwsReason =
  'too-large' | 'not-compact' | 'not-json-object' | 'repeated-member' | 'critical-extension';

/** A compact JWS refused before any key was looked at. */
export class MalformedJws extends Error {
  constructor(readonly reason: MalformedJwsReason) {
    super(`malformed JWS: ${reason}`);
  }
}

/** Three non-empty base64url segments (RFC 7515 §2, §7.1): no padding, no whitespace. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Reads a compact JWS: at most `maxLength` characters (checked before anything else, so a huge
 * string costs nothing), three base64url segments, a header and a claims set that are JSON
 * objects without a repeated member name (RFC 7515 §4, RFC 7519 §4: refused rather than guessing
 * which one counts), and no `crit` in the header: the product understands no JWS extension, and
 * RFC 7515 §4.1.11 says a recipient must then refuse the JWS. An unsigned JWS (`alg: none`) has
 * an empty third segment and is refused here too. Throws MalformedJws; verifies nothing.
 */
export function readCompactJws(token: string, maxLength: number): CompactJws {
  if (token.length > maxLength) throw new MalformedJws('too-large');
  if (!COMPACT_JWS.test(token)) throw new MalformedJws('not-compact');
  const firstDot = token.indexOf('.');
  const secondDot = token.indexOf('.', firstDot + 1);
  const header = jsonObject(token.slice(0, firstDot));
  if (Object.hasOwn(header, 'crit')) throw new MalformedJws('critical-extension');
  return {
    header,
    payload: jsonObject(token.slice(firstDot + 1, secondDot)),
    signingInput: Buffer.from(token.slice(0, secondDot), 'latin1'),
    signature: Buffer.from(token.slice(secondDot + 1), 'base64url'),
  };
}

function jsonObject(segment: string): Readonly<Record<string, unknown>> {
  const text = Buffer.from(segment, 'base64url').toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MalformedJws('not-json-object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new MalformedJws('not-json-object');
  if (hasDuplicateMemberNames(text)) throw new MalformedJws('repeated-member');
  return value as Record<string, unknown>;
}

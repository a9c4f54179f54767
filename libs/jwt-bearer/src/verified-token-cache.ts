import type { KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { AccessTokenClaims } from './access-token-claims';
import { RESOLVED_JWT_BEARER_OPTIONS } from './jwt-bearer.module-definition';
import type { ResolvedJwtBearerOptions } from './jwt-bearer.options';
import { SigningKeyResolver } from './signing-key-resolver';

/** The verdict on a token that passed the full validation (AccessTokenVerifier). */
export interface VerifiedToken {
  /** Frozen: every request presenting the token gets this very object as `request.user`. */
  readonly claims: AccessTokenClaims;
  /** The token's `kid`, and the key that verified it: the verdict lasts only while that key is trusted for that kid. */
  readonly kid: string | undefined;
  readonly key: KeyObject;
  readonly exp: number;
  readonly nbf: number | undefined;
  /** `cnf.jkt` of a DPoP-bound token: every request must then bring a proof of that key. */
  readonly jkt?: string;
}

/**
 * The entries are found by the last KEY_LENGTH characters of the token (of its signature), not by
 * the whole token: hashing a 1 kB string for a Map costs about a microsecond on every request.
 * A hit still requires the whole token to be the one verified.
 */
const KEY_LENGTH = 32;

interface Entry {
  readonly token: string;
  readonly verified: VerifiedToken;
}

/**
 * Remembers the tokens AccessTokenVerifier verified, so the next request with the very same
 * token skips the signature and key lookup. A verdict is reused only while everything
 * that can change since still holds, checked as the full path would:
 * - `exp` and `nbf` against the clock with the same skew and the same arithmetic as the full
 *   path's expiryCheck and notBeforeCheck (whole seconds), so a token the full path would
 *   refuse for its times is never served here;
 * - the key that verified it is still trusted (SigningKeyResolver.isTrusted): the set held now
 *   gives that very key for the token's kid, so a fetch whose JWKS no longer lists it ends the
 *   verdicts on the tokens it signed at once, and after `keyCacheSeconds` the next request
 *   re-verifies in full, which asks the JWKS again;
 * - revocation is not decided here: JwtAuthGuard asks TokenRevocation on every hit.
 * Only successes are remembered: a refusal may stop holding (a key that was unknown, an
 * authority that was down), and an attacker varies invalid tokens at will anyway.
 * Bounded: beyond `verifiedTokenCacheSize` entries the least recently used goes, so a flood of
 * distinct tokens costs verifications, never memory. 0 turns the cache off.
 */
@Injectable()
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly clockSkewSeconds: number;

  constructor(
    @Inject(RESOLVED_JWT_BEARER_OPTIONS) options: ResolvedJwtBearerOptions,
    private readonly keys: SigningKeyResolver,
  ) {
    this.maxEntries = options.verifiedTokenCacheSize;
    this.clockSkewSeconds = options.clockSkewSeconds;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The verdict on `token` if it was verified before and still stands, else undefined. */
  get(token: string, now: number = Date.now()): VerifiedToken | undefined {
    const key = token.slice(-KEY_LENGTH);
    const entry = this.entries.get(key);
    if (entry?.token !== token) return undefined;
    this.entries.delete(key);
    if (!this.stands(entry.verified, now)) return undefined;
    this.entries.set(key, entry); // the most recently used goes last
    return entry.verified;
  }

  /** Remembers a token AccessTokenVerifier has just verified in full. */
  set(token: string, verified: VerifiedToken, now: number = Date.now()): void {
    if (this.maxEntries === 0 || !this.stands(verified, now)) return;
    const key = token.slice(-KEY_LENGTH);
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const leastRecentlyUsed = this.entries.keys().next().value as string;
      this.entries.delete(leastRecentlyUsed);
    }
    this.entries.set(key, { token, verified });
  }

  delete(token: string): void {
    const key = token.slice(-KEY_LENGTH);
    if (this.entries.get(key)?.token === token) this.entries.delete(key);
  }

  private stands({ exp, nbf, kid, key }: VerifiedToken, now: number): boolean {
    // The full path's checks, to the second: expired once now >= exp + skew, early while
    // nbf > now + skew.
    const nowSeconds = Math.floor(now / 1000);
    if (nowSeconds >= exp + this.clockSkewSeconds) return false;
    if (nbf !== undefined && nbf > nowSeconds + this.clockSkewSeconds) return false;
    return this.keys.isTrusted(kid, key, now);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import {
  MalformedJws,
  accessTokenChecks,
  firstClaimProblem,
  keyFitsAlgorithm,
  readCompactJws,
  verifiesJwsSignature,
  type ClaimCheck,
  type CompactJws,
} from '@nest-identity/shared';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { SigningKeyStore } from '../keys/signing-key-store';
import { looksLikeReferenceHandle } from '../reference-tokens/reference-handle';
import { ReferenceTokenStore } from '../reference-tokens/reference-token.store';
import { RevokedTokenStore } from '../reference-tokens/revoked-token.store';
import { OAuthFormLimits } from '../http/oauth-form-limits';

/** An access token this authority issued and still honours. */
export interface InspectedToken {
  readonly kind: 'reference' | 'jwt';
  /** The claims as issued (a JWT's payload, or what a reference token stands for). */
  readonly claims: Readonly<Record<string, unknown>>;
  readonly clientId: string;
  readonly jti: string;
  readonly expiresAt: Date;
}

/** A JWT access token judged: ours and valid, or the first rule it breaks (safe to show). */
export type JwtVerdict =
  | { readonly token: InspectedToken; readonly problem?: undefined }
  | { readonly token?: undefined; readonly problem: string };

/**
 * The identity's one clock-skew policy for its own access tokens: none. It signed them with its
 * own clock and judges them with the same one, so there is no second clock to tolerate; and
 * RFC 7662 §2.2 makes `active` mean "not expired", so a token past its `exp` is inactive at
 * introspection and refused by the admin API alike (docs/protocols/reference-tokens.md;
 * docs/clients.md, "The admin API").
 */
export const OwnAccessTokenSkewSeconds = 0;

/** The longest JWT read at all: what introspection accepts as its `token` parameter. */
const MAX_ACCESS_TOKEN_LENGTH = OAuthFormLimits.maxLengths.token;

const MALFORMED_OR_UNKNOWN_KEY = 'the token is malformed or its key is unknown';

/**
 * Resolves a presented access token: a reference handle through the database, a JWT by the one
 * verifier of the identity's own JWT access tokens (verifiedJwt), then the deny-list. Used by
 * introspection, revocation and the admin API. A store that cannot answer throws
 * StoreUnavailable: the answer is never guessed.
 */
@Injectable()
export class TokenInspector {
  private readonly checks: readonly ClaimCheck[];

  constructor(
    private readonly referenceTokens: ReferenceTokenStore,
    private readonly revokedTokens: RevokedTokenStore,
    private readonly keys: SigningKeyStore,
    @Inject(identitySettings.KEY) settings: IdentitySettings,
  ) {
    // `aud` is the caller's: introspection answers for any audience, the admin API checks its own.
    this.checks = accessTokenChecks({
      issuer: settings.issuer,
      skewSeconds: OwnAccessTokenSkewSeconds,
    });
  }

  /** The token if it is active now: issued here, unexpired, not revoked. */
  async inspect(token: string, now = Date.now()): Promise<InspectedToken | undefined> {
    if (looksLikeReferenceHandle(token)) {
      const stored = await this.referenceTokens.find(token, new Date(now));
      if (!stored) return undefined;
      return {
        kind: 'reference',
        claims: stored.claims,
        clientId: stored.clientId,
        jti: String(stored.claims.jti),
        expiresAt: stored.expiresAt,
      };
    }
    return (await this.activeJwt(token, now)).token;
  }

  /** A JWT access token of ours, valid now and not on the deny-list of revoked `jti`s (RFC 7009). */
  async activeJwt(token: string, now = Date.now()): Promise<JwtVerdict> {
    const verdict = await this.verifiedJwt(token, now);
    if (verdict.token && (await this.revokedTokens.isRevoked(verdict.token.jti)))
      return { problem: 'the token has been revoked' };
    return verdict;
  }

  /**
   * Whether a JWT is one of our valid access tokens (the deny-list not consulted): a compact JWS
   * signed by a published key, found by `kid`, whose own algorithm is the header's (so a token
   * cannot choose how the key is used), then the RFC 9068 checks of accessTokenChecks.
   */
  async verifiedJwt(token: string, now = Date.now()): Promise<JwtVerdict> {
    let jws: CompactJws;
    try {
      jws = readCompactJws(token, MAX_ACCESS_TOKEN_LENGTH);
    } catch (error) {
      if (error instanceof MalformedJws) return { problem: MALFORMED_OR_UNKNOWN_KEY };
      throw error;
    }
    const { header, payload } = jws;
    const alg = typeof header.alg === 'string' ? header.alg : '';
    const key = (await this.keys.getPublishedKeys()).find(
      (candidate) =>
        candidate.kid === header.kid && keyFitsAlgorithm(candidate.publicKey, alg, candidate.alg),
    );
    if (!key) return { problem: MALFORMED_OR_UNKNOWN_KEY };
    if (!verifiesJwsSignature(alg, key.publicKey, jws.signingInput, jws.signature))
      return { problem: 'signature verification failed' };
    const problem = firstClaimProblem(jws, this.checks, Math.floor(now / 1000));
    if (problem !== undefined) return { problem };
    return {
      token: {
        kind: 'jwt',
        claims: payload,
        clientId: payload.client_id as string,
        jti: payload.jti as string,
        expiresAt: new Date((payload.exp as number) * 1000),
      },
    };
  }
}

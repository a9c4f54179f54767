import { Inject, Injectable } from '@nestjs/common';
import { AccessTokenJwtType } from '@app/shared';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { verifyJws } from '../keys/jws';
import { SigningKeyStore } from '../keys/signing-key-store';
import { looksLikeReferenceHandle } from '../reference-tokens/reference-handle';
import { ReferenceTokenStore } from '../reference-tokens/reference-token.store';
import { RevokedTokenStore } from '../reference-tokens/revoked-token.store';

/** An access token this authority issued and still honours. */
export interface InspectedToken {
  readonly kind: 'reference' | 'jwt';
  /** The claims as issued (a JWT's payload, or what a reference token stands for). */
  readonly claims: Readonly<Record<string, unknown>>;
  readonly clientId: string;
  readonly jti: string;
  readonly expiresAt: Date;
}

/**
 * Resolves a presented access token: a reference handle through the database, a JWT by its
 * signature (a published key, whose own algorithm is the header's), `typ`, `iss`, `exp`, `nbf`
 * and the deny-list. Anything else, or anything that fails one check, is undefined. A store
 * that cannot answer throws StoreUnavailable: the answer is never guessed.
 */
@Injectable()
export class TokenInspector {
  constructor(
    private readonly referenceTokens: ReferenceTokenStore,
    private readonly revokedTokens: RevokedTokenStore,
    private readonly keys: SigningKeyStore,
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
  ) {}

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
    const jwt = await this.verifiedJwt(token, now);
    if (!jwt || (await this.revokedTokens.isRevoked(jwt.jti))) return undefined;
    return jwt;
  }

  /** A JWT access token of ours, valid now; the deny-list is not consulted. */
  async verifiedJwt(token: string, now = Date.now()): Promise<InspectedToken | undefined> {
    const published = await this.keys.getPublishedKeys();
    const verified = verifyJws(token, (header) => {
      const key = published.find((candidate) => candidate.kid === header.kid);
      return key && key.alg === header.alg ? key.publicKey : undefined;
    });
    if (!verified) return undefined;
    const { header, payload } = verified;
    const seconds = Math.floor(now / 1000);
    const { iss, exp, nbf, jti, client_id: clientId } = payload;
    if (header.typ !== AccessTokenJwtType && header.typ !== `application/${AccessTokenJwtType}`)
      return undefined;
    if (iss !== this.settings.issuer) return undefined;
    if (typeof exp !== 'number' || exp <= seconds) return undefined;
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf > seconds)) return undefined;
    if (typeof jti !== 'string' || typeof clientId !== 'string') return undefined;
    return {
      kind: 'jwt',
      claims: payload,
      clientId,
      jti,
      expiresAt: new Date(exp * 1000),
    };
  }
}

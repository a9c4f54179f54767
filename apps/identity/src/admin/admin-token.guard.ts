import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import {
  AccessTokenJwtType,
  BearerTokenMissing,
  IDENTITY_API_RESOURCE,
  InsufficientScope,
  InvalidDPoPProof,
  InvalidToken,
  Scopes,
  readScopeClaim,
  recordChallenge,
} from '@app/shared';
import { ClientStore } from '../clients/client-store';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { DPoPSigningAlgorithms } from '../dpop/dpop-algorithms';
import { DPoPProofChecker } from '../dpop/dpop-proof.checker';
import { verifyJws } from '../keys/jws';
import { SigningKeyStore } from '../keys/signing-key-store';
import { RevokedTokenStore } from '../reference-tokens/revoked-token.store';

/** Seconds of tolerance on `exp` and `nbf`, as the resource servers allow. */
export const ADMIN_TOKEN_CLOCK_SKEW = 60;

/** What the guard leaves on the request: who is acting, for the audit log. */
export interface AdminRequest extends FastifyRequest {
  adminClientId?: string;
}

/**
 * The admin API is protected by the identity's own access tokens (dogfooding): a client-credentials
 * token for the `identity` resource with the scope `identity.admin`. It is verified in-process
 * against the published keys, by the same rules a resource server applies (RFC 9068 §4): not on
 * the deny-list of revoked `jti`s (RFC 7009), and a DPoP-bound token (`cnf.jkt`) only with the
 * DPoP scheme and a proof of its key (RFC 9449 §7). Plus one rule of our own: the token's client
 * must still exist, be enabled and be allowed `identity.admin` now, so that disabling an admin
 * client or taking the scope away ends its tokens' rights at once.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(
    private readonly keys: SigningKeyStore,
    private readonly clients: ClientStore,
    private readonly revokedTokens: RevokedTokenStore,
    private readonly dpop: DPoPProofChecker,
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const presented = presentedToken(request.headers.authorization);
    if (presented === undefined) throw new BearerTokenMissing();
    const { token } = presented;
    const claims = await this.verifiedClaims(token);
    this.checkValidity(claims);
    if (typeof claims.jti !== 'string') throw new InvalidToken('the token has no jti');
    if (await this.revokedTokens.isRevoked(claims.jti))
      throw new InvalidToken('the token has been revoked');
    await this.checkPresentation(request, presented, boundKey(claims));
    // A valid token of ours without the scope (one for api1, say) is refused for what it lacks.
    if (!readScopeClaim(claims.scope).includes(Scopes.IdentityAdmin)) {
      throw new InsufficientScope([Scopes.IdentityAdmin]);
    }
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(IDENTITY_API_RESOURCE)) {
      throw new InvalidToken('the token is not valid for this audience');
    }
    const clientId = typeof claims.client_id === 'string' ? claims.client_id : undefined;
    const client = clientId === undefined ? undefined : await this.clients.findClientById(clientId);
    if (!client?.enabled) {
      throw new InvalidToken("the token's client is unknown or disabled", {
        cause: `client ${String(clientId)} is unknown or disabled`,
      });
    }
    if (!client.allowedScopes.includes(Scopes.IdentityAdmin)) {
      throw new InvalidToken(`the token's client is no longer allowed ${Scopes.IdentityAdmin}`, {
        cause: `client ${String(clientId)} is no longer allowed ${Scopes.IdentityAdmin}`,
      });
    }
    request.adminClientId = clientId;
    return true;
  }

  /**
   * RFC 9449 §7.1-7.2: a token bound to a key (`cnf.jkt`) is used only with the DPoP scheme and a
   * valid proof of that key; the DPoP scheme only with a bound token.
   */
  private async checkPresentation(
    request: AdminRequest,
    presented: PresentedToken,
    jkt: string | undefined,
  ): Promise<void> {
    const algs = DPoPSigningAlgorithms.join(' ');
    if (presented.scheme === 'Bearer') {
      if (jkt !== undefined)
        throw new InvalidToken('the token is DPoP-bound: send it with the DPoP scheme and a proof');
      return;
    }
    if (jkt === undefined) {
      recordChallenge(request, { scheme: 'DPoP', algs });
      throw new InvalidToken('the token is not DPoP-bound');
    }
    try {
      await this.dpop.checkPresented(request, presented.token, jkt);
    } catch (error) {
      if (error instanceof InvalidDPoPProof) {
        recordChallenge(request, { scheme: 'DPoP', algs });
        throw new InvalidDPoPProof(error.description ?? 'invalid DPoP proof', 401);
      }
      throw error;
    }
  }

  /** The signature, by a published key whose `kid` and own algorithm match the header. */
  private async verifiedClaims(token: string): Promise<Record<string, unknown>> {
    const keys = await this.keys.getPublishedKeys();
    let keyFound = false;
    const verified = verifyJws(token, (header) => {
      const key = keys.find((k) => k.kid === header.kid && k.alg === header.alg);
      keyFound = key !== undefined;
      return key?.publicKey;
    });
    if (!verified) {
      throw new InvalidToken(
        keyFound ? 'signature verification failed' : 'the token is malformed or its key is unknown',
      );
    }
    const typ = verified.header.typ;
    if (typeof typ !== 'string' || !/^(application\/)?at\+jwt$/i.test(typ)) {
      throw new InvalidToken(`the token's typ must be ${AccessTokenJwtType}`);
    }
    return verified.payload;
  }

  /** Issued by us, for now (`exp`, `nbf`, with the clock skew). */
  private checkValidity(claims: Record<string, unknown>): void {
    if (claims.iss !== this.settings.issuer) {
      throw new InvalidToken("the token's issuer is not trusted");
    }
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number') throw new InvalidToken('the token has no exp');
    if (claims.exp + ADMIN_TOKEN_CLOCK_SKEW <= now) throw new InvalidToken('the token expired');
    if (claims.nbf !== undefined && typeof claims.nbf !== 'number') {
      throw new InvalidToken("the token's nbf is not a number");
    }
    if (typeof claims.nbf === 'number' && claims.nbf - ADMIN_TOKEN_CLOCK_SKEW > now) {
      throw new InvalidToken('the token is not valid yet');
    }
  }
}

interface PresentedToken {
  readonly scheme: 'Bearer' | 'DPoP';
  readonly token: string;
}

/**
 * The token of `Authorization: Bearer <token>` or `DPoP <token>` (scheme case-insensitive);
 * undefined when the request carries no access token at all (another scheme included), as the
 * resource servers do.
 */
function presentedToken(authorization: string | undefined): PresentedToken | undefined {
  const match =
    authorization === undefined ? null : /^(bearer|dpop)(?: +(.*))?$/i.exec(authorization);
  if (!match) return undefined;
  const scheme = match[1].toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
  const token = match[2]?.trim() ?? '';
  // RFC 6750 §2.1 b68token, the token68 of RFC 9449 §7.1 too
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) throw new InvalidToken('the token is malformed');
  return { scheme, token };
}

/** The `cnf.jkt` a DPoP-bound token carries (RFC 9449 §6.1), if any. */
function boundKey(claims: Record<string, unknown>): string | undefined {
  const cnf = claims.cnf;
  if (cnf === undefined) return undefined;
  const jkt = typeof cnf === 'object' && cnf !== null ? (cnf as { jkt?: unknown }).jkt : undefined;
  if (typeof jkt !== 'string') throw new InvalidToken("the token's cnf is not a DPoP key binding");
  return jkt;
}

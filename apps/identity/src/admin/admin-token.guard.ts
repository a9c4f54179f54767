import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import {
  AccessTokenJwtType,
  BearerTokenMissing,
  IDENTITY_API_RESOURCE,
  InsufficientScope,
  InvalidToken,
  Scopes,
  readScopeClaim,
} from '@app/shared';
import { ClientStore } from '../clients/client-store';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { verifyJws } from '../keys/jws';
import { SigningKeyStore } from '../keys/signing-key-store';

/** Seconds of tolerance on `exp` and `nbf`, as the resource servers allow. */
export const ADMIN_TOKEN_CLOCK_SKEW = 60;

/** What the guard leaves on the request: who is acting, for the audit log. */
export interface AdminRequest extends FastifyRequest {
  adminClientId?: string;
}

/**
 * The admin API is protected by the identity's own access tokens (dogfooding): a client-credentials
 * token for the `identity` resource with the scope `identity.admin`. It is verified in-process
 * against the published keys, by the same rules a resource server applies (RFC 9068 §4), plus
 * one: the token's client must still exist and be enabled, so disabling an admin client revokes
 * its tokens at once.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(
    private readonly keys: SigningKeyStore,
    private readonly clients: ClientStore,
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) throw new BearerTokenMissing();
    const claims = await this.verifiedClaims(token);
    this.checkValidity(claims);
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
    request.adminClientId = clientId;
    return true;
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

/**
 * The token of `Authorization: Bearer <token>` (scheme case-insensitive); undefined when the
 * request carries no bearer token at all (another scheme included), as the resource servers do.
 */
function bearerToken(authorization: string | undefined): string | undefined {
  const match = authorization === undefined ? null : /^bearer(?: +(.*))?$/i.exec(authorization);
  if (!match) return undefined;
  const token = match[1]?.trim() ?? '';
  // RFC 6750 §2.1 b68token
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) throw new InvalidToken('the token is malformed');
  return token;
}

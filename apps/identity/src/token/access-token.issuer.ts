import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AccessTokenJwtType } from '@app/shared';
import type { Client } from '../clients/client';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { signJws } from '../keys/jws';
import { SigningKeyStore } from '../keys/signing-key-store';

export interface AccessTokenGrant {
  readonly client: Client;
  readonly scopes: readonly string[];
  readonly audiences: readonly string[];
  /** RFC 7800 confirmation: the DPoP key's JWK SHA-256 thumbprint (RFC 9449 §6.1). */
  readonly confirmation?: { readonly jkt: string };
}

export interface IssuedAccessToken {
  readonly token: string;
  readonly expiresIn: number;
}

/** Signs RFC 9068 JWT access tokens with the active key. */
@Injectable()
export class AccessTokenIssuer {
  constructor(
    private readonly keys: SigningKeyStore,
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
  ) {}

  async issue({
    client,
    scopes,
    audiences,
    confirmation,
  }: AccessTokenGrant): Promise<IssuedAccessToken> {
    const key = await this.keys.getActiveKey();
    const now = Math.floor(Date.now() / 1000);
    const lifetime = client.accessTokenLifetime;
    const payload = {
      // Configured claims first: the protocol claims below can never be overridden by them
      // (the configuration also refuses reserved names).
      ...groupClaims(client.claims),
      iss: this.settings.issuer,
      sub: client.clientId,
      client_id: client.clientId,
      aud: audiences.length === 1 ? audiences[0] : audiences,
      scope: scopes.join(' '),
      iat: now,
      nbf: now,
      exp: now + lifetime,
      jti: randomUUID(),
      ...(confirmation ? { cnf: { jkt: confirmation.jkt } } : {}),
    };
    const token = signJws(
      { alg: key.alg, typ: AccessTokenJwtType, kid: key.kid },
      payload,
      key.privateKey,
    );
    return { token, expiresIn: lifetime };
  }
}

/** A claim type configured once is a string; configured several times, an array. */
function groupClaims(claims: Client['claims']): Record<string, string | string[]> {
  const grouped: Record<string, string | string[]> = {};
  for (const { type, value } of claims) {
    const existing = grouped[type];
    grouped[type] =
      existing === undefined
        ? value
        : Array.isArray(existing)
          ? [...existing, value]
          : [existing, value];
  }
  return grouped;
}

import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  AccessTokenJwtType,
  AccessTokenTypes,
  StoreSpans,
  groupConfiguredClaims,
  inSpan,
} from '@nest-identity/shared';
import type { Client } from '../clients/client';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { signJws } from '../keys/jws';
import { SigningKeyStore } from '../keys/signing-key-store';
import { newReferenceHandle } from '../reference-tokens/reference-handle';
import { ReferenceTokenStore } from '../reference-tokens/reference-token.store';

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

/**
 * Issues access tokens as the client is configured: RFC 9068 JWTs signed with the active key, or
 * reference tokens (an opaque handle; the claims stay in the database, resolved by introspection).
 */
@Injectable()
export class AccessTokenIssuer {
  constructor(
    private readonly keys: SigningKeyStore,
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
    private readonly referenceTokens: ReferenceTokenStore,
  ) {}

  async issue({
    client,
    scopes,
    audiences,
    confirmation,
  }: AccessTokenGrant): Promise<IssuedAccessToken> {
    const now = Math.floor(Date.now() / 1000);
    const lifetime = client.accessTokenLifetime;
    const payload = {
      // Configured claims first: the protocol claims below can never be overridden by them
      // (the configuration also refuses reserved names).
      ...groupConfiguredClaims(client.claims),
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
    if (client.accessTokenType === AccessTokenTypes.Reference) {
      return this.issueReference(client.clientId, payload, lifetime);
    }
    const key = await inSpan(StoreSpans.ActiveKey, {}, () => this.keys.getActiveKey());
    const token = signJws(
      { alg: key.alg, typ: AccessTokenJwtType, kid: key.kid },
      payload,
      key.privateKey,
    );
    return { token, expiresIn: lifetime };
  }

  /** Stores the claims under a new handle's hash; the handle itself is never stored. */
  private async issueReference(
    clientId: string,
    claims: { readonly exp: number } & Record<string, unknown>,
    lifetime: number,
  ): Promise<IssuedAccessToken> {
    const handle = newReferenceHandle();
    await inSpan(StoreSpans.SaveReferenceToken, {}, () =>
      this.referenceTokens.save(handle, {
        clientId,
        claims,
        expiresAt: new Date(claims.exp * 1000),
      }),
    );
    return { token: handle, expiresIn: lifetime };
  }
}

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
import type { OAuthForm } from '../http/oauth-form';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { signJws } from '../keys/jws';
import { SigningKeyStore } from '../keys/signing-key-store';
import { newReferenceHandle } from '../reference-tokens/reference-handle';
import { ReferenceTokenStore } from '../reference-tokens/reference-token.store';
import { TokenRequestExtensions } from './token-extensions';

export interface AccessTokenGrant {
  readonly client: Client;
  /** The token request: the host's validators and claims services read it (and its grant_type). */
  readonly request: OAuthForm;
  /** What the grant's checks granted; a token request validator may still narrow it. */
  readonly scopes: readonly string[];
  readonly audiences: readonly string[];
  /** RFC 7800 confirmation: the DPoP key's JWK SHA-256 thumbprint (RFC 9449 §6.1). */
  readonly confirmation?: { readonly jkt: string };
}

export interface IssuedAccessToken {
  readonly token: string;
  readonly expiresIn: number;
  /** The scopes the token carries, space-delimited: the token response's `scope`. */
  readonly scope: string;
}

/**
 * Issues access tokens as the client is configured: RFC 9068 JWTs signed with the active key, or
 * reference tokens (an opaque handle; the claims stay in the database, resolved by introspection).
 * The one place a token is built, for every grant: the host's token request validators and
 * claims services run here, after the grant's checks (docs/extending.md).
 */
@Injectable()
export class AccessTokenIssuer {
  constructor(
    private readonly keys: SigningKeyStore,
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
    private readonly referenceTokens: ReferenceTokenStore,
    private readonly extensions: TokenRequestExtensions,
  ) {}

  async issue({
    client,
    request,
    scopes,
    audiences,
    confirmation,
  }: AccessTokenGrant): Promise<IssuedAccessToken> {
    const validated = await this.extensions.validate({
      client,
      grantType: request.param('grant_type') ?? '',
      request,
      scopes,
      audiences,
      lifetime: client.accessTokenLifetime,
    });
    const { context } = validated;
    const added = { ...validated.claims, ...(await this.extensions.claimsFor(context)) };
    const now = Math.floor(Date.now() / 1000);
    const { lifetime } = context;
    const payload = {
      // Configured and added claims first: the protocol claims below can never be overridden by
      // them (the configuration and TokenRequestExtensions also refuse reserved names).
      ...groupConfiguredClaims(client.claims),
      ...added,
      iss: this.settings.issuer,
      sub: client.clientId,
      client_id: client.clientId,
      aud: context.audiences.length === 1 ? context.audiences[0] : context.audiences,
      scope: context.scopes.join(' '),
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
    return { token, expiresIn: lifetime, scope: payload.scope };
  }

  /** Stores the claims under a new handle's hash; the handle itself is never stored. */
  private async issueReference(
    clientId: string,
    claims: { readonly exp: number; readonly scope: string } & Record<string, unknown>,
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
    return { token: handle, expiresIn: lifetime, scope: claims.scope };
  }
}

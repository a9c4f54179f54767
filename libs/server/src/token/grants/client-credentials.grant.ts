import { Inject, Injectable } from '@nestjs/common';
import { GrantTypes, InvalidScope, isScopeToken, parseScopeParameter } from '@nest-identity/shared';
import type { ApiResource, Client } from '../../clients/client';
import { ResourceStore } from '../../clients/resource-store';
import { identitySettings, type IdentitySettings } from '../../config/identity-settings';
import { AccessTokenIssuer } from '../access-token.issuer';
import type { DPoPBinding } from '../../dpop/dpop-binding';
import { GrantType, type GrantHandler, type TokenResponse } from '../grant-handler';
import { resolveResourceIndicators, scopesForTargets } from '../resource-indicators';
import type { OAuthForm } from '../../http/oauth-form';

/**
 * RFC 6749 §4.4: a client asks for a token for itself, for some of its allowed scopes; with RFC
 * 8707 `resource` values, for those API resources only; with an RFC 9449 DPoP proof, bound to the
 * proof's key.
 */
@Injectable()
@GrantType(GrantTypes.ClientCredentials)
export class ClientCredentialsGrant implements GrantHandler {
  constructor(
    private readonly resources: ResourceStore,
    private readonly issuer: AccessTokenIssuer,
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
  ) {}

  async handle(request: OAuthForm, client: Client, dpop?: DPoPBinding): Promise<TokenResponse> {
    const targets = await this.targets(request.params('resource'), client);
    const requestedScope = request.param('scope');
    let scopes = await this.grantedScopes(requestedScope, client);
    if (targets !== undefined) {
      scopes = scopesForTargets(requestedScope === undefined ? undefined : scopes, client, targets);
    }
    const issued = await this.issuer.issue({
      client,
      request,
      scopes,
      // RFC 8707 §2: with `resource`, the audience is exactly the resources named.
      audiences: targets?.map((resource) => resource.name) ?? (await this.audiences(scopes)),
      confirmation: dpop === undefined ? undefined : { jkt: dpop.jkt },
    });
    return {
      access_token: issued.token,
      token_type: dpop === undefined ? 'Bearer' : 'DPoP',
      expires_in: issued.expiresIn,
      // As issued: a token request validator may have narrowed the scopes.
      scope: issued.scope,
    };
  }

  /** The API resources named by `resource` values; undefined when there are none. */
  private async targets(
    indicators: readonly string[],
    client: Client,
  ): Promise<ApiResource[] | undefined> {
    if (indicators.length === 0) return undefined;
    return resolveResourceIndicators(indicators, await this.resources.getAllApiResources(), client);
  }

  /**
   * The requested scopes, each defined and allowed for the client; when none is requested,
   * every scope the client is allowed (RFC 6749 §3.3 lets the server choose a default).
   */
  private async grantedScopes(requested: string | undefined, client: Client): Promise<string[]> {
    const wanted =
      requested === undefined ? [...client.allowedScopes] : parseScopeParameter(requested);
    if (wanted.length === 0) {
      throw new InvalidScope(
        requested === undefined ? 'the client is allowed no scope' : 'the scope is empty',
      );
    }
    const malformed = wanted.find((scope) => !isScopeToken(scope));
    if (malformed !== undefined) throw new InvalidScope('the scope is malformed');
    const defined = new Set(
      (await this.resources.findApiScopesByName(wanted)).map((scope) => scope.name),
    );
    // An undefined name is not repeated back: it is the caller's own input, possibly anything.
    if (wanted.some((scope) => !defined.has(scope)))
      throw new InvalidScope('a requested scope is not defined');
    const refused = wanted.filter((scope) => !client.allowedScopes.includes(scope));
    if (refused.length > 0) {
      throw new InvalidScope(`the client may not request the scope ${refused.join(' ')}`);
    }
    return wanted;
  }

  /**
   * The API resources holding a granted scope. A scope no resource holds still needs an `aud`
   * (RFC 9068 §2.2 requires one): the issuer's static `…/resources` audience, as IdentityServer's
   * EmitStaticAudienceClaim does.
   */
  private async audiences(scopes: readonly string[]): Promise<string[]> {
    const resources = await this.resources.findApiResourcesByScopeName(scopes);
    const names = resources.map((resource) => resource.name);
    const uncovered = scopes.some((scope) => !resources.some((r) => r.scopes.includes(scope)));
    if (names.length === 0 || uncovered) names.push(`${this.settings.issuer}/resources`);
    return names;
  }
}

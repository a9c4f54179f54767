import { Injectable, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { Client } from '../clients/client';
import { GrantType, type GrantHandler, type TokenResponse } from './grant-handler';
import { GrantHandlerRegistry } from './grant-handler.registry';
import type { OAuthForm } from '../http/oauth-form';

@Injectable()
@GrantType('urn:example:grant')
class ExampleGrant implements GrantHandler {
  handle(_request: OAuthForm, client: Client): Promise<TokenResponse> {
    return Promise.resolve({
      access_token: client.clientId,
      token_type: 'Bearer',
      expires_in: 1,
      scope: '',
    });
  }
}

@Injectable()
@GrantType('urn:example:grant')
class SameGrantAgain extends ExampleGrant {}

/** A grant added by an application's own module, as a user would extend the server. */
@Module({ providers: [ExampleGrant] })
class ExtensionModule {}

describe('GrantHandlerRegistry', () => {
  it('finds a grant declared by a provider in any imported module', async () => {
    const app = await Test.createTestingModule({
      imports: [DiscoveryModule, ExtensionModule],
      providers: [GrantHandlerRegistry],
    }).compile();
    await app.init();
    const registry = app.get(GrantHandlerRegistry);
    expect(registry.grantTypes()).toEqual(['urn:example:grant']);
    expect(registry.get('urn:example:grant')).toBeInstanceOf(ExampleGrant);
    expect(registry.get('client_credentials')).toBeUndefined();
  });

  it('refuses to start with two handlers for one grant type', async () => {
    const app = await Test.createTestingModule({
      imports: [DiscoveryModule],
      providers: [GrantHandlerRegistry, ExampleGrant, SameGrantAgain],
    }).compile();
    await expect(app.init()).rejects.toThrow(
      'two providers handle the grant type urn:example:grant',
    );
  });
});

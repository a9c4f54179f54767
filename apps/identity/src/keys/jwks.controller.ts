import { Controller, Get, Header } from '@nestjs/common';
import { OAuthPaths } from '@app/shared';
import { SigningKeyStore } from './signing-key-store';

/** RFC 7517 JWK Set of the public signing keys. Private members never leave the store. */
@Controller()
export class JwksController {
  constructor(private readonly keys: SigningKeyStore) {}

  @Get(OAuthPaths.Jwks)
  @Header('cache-control', 'public, max-age=3600')
  async jwks(): Promise<{ keys: object[] }> {
    const keys = await this.keys.getPublishedKeys();
    return { keys: keys.map((key) => key.publicJwk) };
  }
}

import { Logger } from '@nestjs/common';
import { InvalidToken } from '@app/shared';
import { FakeAuthority, TestSigningKey } from '@app/jwt-bearer/testing';
import { AuthorityMetadata } from './authority-metadata';
import { resolveJwtBearerOptions } from './jwt-bearer.options';
import { SigningKeyResolver } from './signing-key-resolver';

describe('SigningKeyResolver', () => {
  let authority: FakeAuthority;
  let resolver: SigningKeyResolver;

  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  beforeEach(async () => {
    authority = await FakeAuthority.start();
    // A 1 ms key cache, so every resolve() asks the JWKS again.
    const options = resolveJwtBearerOptions({
      authority: authority.issuer,
      audience: 'api1',
      requireHttpsMetadata: false,
      keyCacheSeconds: 0.001,
    });
    resolver = new SigningKeyResolver(options, new AuthorityMetadata(options));
  });
  afterEach(() => authority.close());

  it('finds the published key named by the token kid', async () => {
    await expect(resolver.resolve(authority.signAccessToken())).resolves.toBe(
      authority.signingKey.publicKeyPem,
    );
  });

  it.each(['HS256', 'none', 'RS1'])('refuses alg %s without asking the authority', async (alg) => {
    await expect(resolver.resolve(authority.signAccessToken({ header: { alg } }))).rejects.toThrow(
      new InvalidToken("the token's alg is not allowed"),
    );
    expect(authority.requests.jwks).toBe(0);
  });

  it('refuses a token that is not a JWS', async () => {
    await expect(resolver.resolve('not-a-token')).rejects.toThrow(
      new InvalidToken('the token is malformed'),
    );
  });

  it('refuses a kid the authority does not publish', async () => {
    const token = authority.signAccessToken({ key: new TestSigningKey('unknown') });
    await expect(resolver.resolve(token)).rejects.toThrow(
      new InvalidToken("the token's signing key is unknown"),
    );
  });

  it('keeps a key it has seen working while the authority is down', async () => {
    const token = authority.signAccessToken();
    const key = await resolver.resolve(token);
    authority.available = false;
    await sleep(5);
    await expect(resolver.resolve(token)).resolves.toBe(key);
  });

  it('cannot vouch for a key it has never seen while the authority is down', async () => {
    authority.available = false;
    await expect(resolver.resolve(authority.signAccessToken())).rejects.toThrow(
      new InvalidToken('signing keys are unavailable'),
    );
  });

  it('forgets a key the authority stopped publishing', async () => {
    const token = authority.signAccessToken();
    await resolver.resolve(token);
    authority.publishedKeys = [new TestSigningKey()];
    await sleep(5);
    await expect(resolver.resolve(token)).rejects.toThrow(
      new InvalidToken("the token's signing key is unknown"),
    );

    authority.available = false;
    await expect(resolver.resolve(token)).rejects.toThrow(
      new InvalidToken('signing keys are unavailable'),
    );
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

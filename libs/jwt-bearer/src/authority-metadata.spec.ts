import { Logger } from '@nestjs/common';
import { FakeAuthority } from '@nest-identity/jwt-bearer/testing';
import { AuthorityMetadata } from './authority-metadata';
import { resolveJwtBearerOptions, type JwtBearerOptions } from './jwt-bearer.options';

describe('AuthorityMetadata', () => {
  let authority: FakeAuthority;

  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  beforeEach(async () => (authority = await FakeAuthority.start()));
  afterEach(() => authority.close());

  function metadataFor(options: Partial<JwtBearerOptions> = {}): AuthorityMetadata {
    return new AuthorityMetadata(
      resolveJwtBearerOptions({
        authority: authority.issuer,
        audience: 'api1',
        requireHttpsMetadata: false,
        ...options,
      }),
    );
  }

  it('discovers the issuer, jwks_uri and token_endpoint once, then serves them from its cache', async () => {
    const metadata = metadataFor();
    const expected = {
      issuer: authority.issuer,
      jwksUri: `${authority.issuer}/.well-known/openid-configuration/jwks`,
      tokenEndpoint: `${authority.issuer}/connect/token`,
    };
    await expect(metadata.get()).resolves.toEqual(expected);
    await expect(metadata.get()).resolves.toEqual(expected);
    expect(authority.requests.metadata).toBe(1);
  });

  it('shares one request between concurrent callers', async () => {
    const metadata = metadataFor();
    await Promise.all([metadata.get(), metadata.get(), metadata.get()]);
    expect(authority.requests.metadata).toBe(1);
  });

  it('refuses a document whose issuer is not the authority (RFC 8414 §3.3)', async () => {
    authority.issuerInMetadata = 'http://evil.example.com';
    await expect(metadataFor().get()).rejects.toThrow(
      `its issuer "http://evil.example.com" is not the authority "${authority.issuer}"`,
    );
  });

  it('forgives a trailing slash, and keeps the issuer as the authority spells it', async () => {
    authority.issuerInMetadata = `${authority.issuer}/`;
    await expect(metadataFor().get()).resolves.toMatchObject({ issuer: `${authority.issuer}/` });
  });

  it('refuses an http jwks_uri while requireHttpsMetadata is on', async () => {
    // Built by hand: resolveJwtBearerOptions would already refuse the http authority.
    const options = resolveJwtBearerOptions({
      authority: authority.issuer,
      audience: 'api1',
      requireHttpsMetadata: false,
    });
    const metadata = new AuthorityMetadata({ ...options, requireHttpsMetadata: true });
    await expect(metadata.get()).rejects.toThrow('is not https, and requireHttpsMetadata is on');
  });

  it('reports an error status', async () => {
    authority.metadataStatus = 500;
    await expect(metadataFor().get()).rejects.toThrow(
      `${authority.issuer}/.well-known/openid-configuration: answered HTTP 500`,
    );
  });

  it('retries after a failure, at most once per metadataRetrySeconds', async () => {
    const metadata = metadataFor({ metadataRetrySeconds: 0.2 });
    authority.available = false;
    await expect(metadata.get()).rejects.toThrow('fetch failed');

    authority.available = true;
    await expect(metadata.get()).rejects.toThrow('fetch failed');
    expect(authority.requests.metadata).toBe(0);

    await sleep(250);
    await expect(metadata.get()).resolves.toMatchObject({ issuer: authority.issuer });
    expect(authority.requests.metadata).toBe(1);
  });

  it('keeps using metadata it has when a refresh fails', async () => {
    const metadata = metadataFor({ metadataRefreshSeconds: 0.05 });
    const discovered = await metadata.get();
    authority.available = false;
    await sleep(60);
    await expect(metadata.get()).resolves.toEqual(discovered);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

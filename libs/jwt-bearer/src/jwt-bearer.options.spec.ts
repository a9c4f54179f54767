import { AsymmetricJwsAlgorithms, ConfigurationError } from '@nest-identity/shared';
import {
  DPoPProofAlgorithms,
  JwtBearerAlgorithms,
  resolveJwtBearerOptions,
  type JwtBearerOptions,
} from './jwt-bearer.options';

describe('resolveJwtBearerOptions', () => {
  const required = { authority: 'https://id.example.com', audience: 'api1' };

  it('applies the defaults', () => {
    expect(resolveJwtBearerOptions(required)).toEqual({
      authority: 'https://id.example.com',
      audience: 'api1',
      clockSkewSeconds: 60,
      requiredClaims: ['iat', 'jti', 'sub', 'client_id'],
      maxTokenLifetimeSeconds: 86400,
      requireHttpsMetadata: true,
      algorithms: JwtBearerAlgorithms,
      metadataRetrySeconds: 1,
      metadataRefreshSeconds: 43200,
      keyCacheSeconds: 600,
      jwksRefreshCooldownSeconds: 30,
      maxTokenLength: 8192,
      backchannelTimeoutSeconds: 5,
      verifiedTokenCacheSize: 10000,
      introspection: undefined,
      dpop: {
        enabled: true,
        algorithms: DPoPProofAlgorithms,
        publicUrl: undefined,
        proofLifetimeSeconds: 300,
        replayCacheSize: 100000,
        challengeWithoutToken: false,
      },
    });
  });

  it('completes introspection: the audience as client id, a 30 s cache of 10,000 answers', () => {
    expect(
      resolveJwtBearerOptions({ ...required, introspection: { clientSecret: 's3cret' } })
        .introspection,
    ).toEqual({ clientSecret: 's3cret', clientId: 'api1', cacheSeconds: 30, cacheSize: 10000 });
  });

  it('drops the trailing slash of dpop.publicUrl', () => {
    expect(
      resolveJwtBearerOptions({ ...required, dpop: { publicUrl: 'https://api.example.com/' } }).dpop
        .publicUrl,
    ).toBe('https://api.example.com');
  });

  it('names every problem of the introspection and dpop options', () => {
    expect(() =>
      resolveJwtBearerOptions({
        ...required,
        introspection: { clientSecret: '', cacheSeconds: -1, cacheSize: 1.5 },
        dpop: {
          algorithms: ['HS256' as never],
          publicUrl: 'api.example.com',
          proofLifetimeSeconds: 0,
          replayCacheSize: 0,
        },
      }),
    ).toThrow(
      expect.objectContaining({
        problems: [
          'introspection.clientSecret: is required',
          'introspection.cacheSeconds: must be a number of at least 0',
          'introspection.cacheSize: must be a whole number of at least 0',
          expect.stringMatching(/^dpop\.algorithms: HS256 is refused/),
          'dpop.publicUrl: "api.example.com" must be an absolute http(s) URL without a query or fragment',
          'dpop.proofLifetimeSeconds: must be a number above 0',
          'dpop.replayCacheSize: must be a whole number above 0',
        ],
      }),
    );
  });

  it('accepts every asymmetric JWS algorithm and EdDSA by default', () => {
    expect(JwtBearerAlgorithms).toEqual([...AsymmetricJwsAlgorithms, 'EdDSA']);
  });

  it('accepts RFC 9864 Ed25519 for DPoP proofs only (what oauth4webapi signs Ed25519 keys with)', () => {
    expect(DPoPProofAlgorithms).toEqual([...JwtBearerAlgorithms, 'Ed25519']);
    expect(() =>
      resolveJwtBearerOptions({ ...required, dpop: { algorithms: ['Ed25519'] } }),
    ).not.toThrow();
    expect(() =>
      resolveJwtBearerOptions({ ...required, algorithms: ['Ed25519' as 'EdDSA'] }),
    ).toThrow(/Ed25519 is refused/);
  });

  it('keeps given values, undefined ones falling back to the default', () => {
    const resolved = resolveJwtBearerOptions({
      ...required,
      clockSkewSeconds: 0,
      requireHttpsMetadata: undefined,
      algorithms: ['ES256'],
    });
    expect(resolved).toMatchObject({
      clockSkewSeconds: 0,
      requireHttpsMetadata: true,
      algorithms: ['ES256'],
    });
  });

  it('drops a trailing slash from the authority', () => {
    expect(resolveJwtBearerOptions({ ...required, authority: 'https://id.example.com/' })).toEqual(
      expect.objectContaining({ authority: 'https://id.example.com' }),
    );
  });

  it('refuses an http authority while requireHttpsMetadata is on', () => {
    expect(() =>
      resolveJwtBearerOptions({ ...required, authority: 'http://localhost:5001' }),
    ).toThrow(
      new ConfigurationError('JwtBearerModule configuration', [
        'authority: "http://localhost:5001" is not https, and requireHttpsMetadata refuses http (turn it off only for development)',
      ]),
    );
  });

  it('accepts an http authority when requireHttpsMetadata is off', () => {
    expect(
      resolveJwtBearerOptions({
        ...required,
        authority: 'http://localhost:5001',
        requireHttpsMetadata: false,
      }).authority,
    ).toBe('http://localhost:5001');
  });

  it.each(['HS256', 'none', 'RS1'])('refuses the algorithm %s', (algorithm) => {
    const options = {
      ...required,
      algorithms: ['RS256', algorithm],
    } as unknown as JwtBearerOptions;
    expect(() => resolveJwtBearerOptions(options)).toThrow(
      `algorithms: ${algorithm} is refused; a resource server accepts only asymmetric algorithms`,
    );
  });

  it.each([-1, 1.5, Number.NaN])('refuses a verified-token cache size of %s', (size) => {
    expect(() => resolveJwtBearerOptions({ ...required, verifiedTokenCacheSize: size })).toThrow(
      'verifiedTokenCacheSize: must be a whole number of at least 0',
    );
  });

  it('accepts a verified-token cache size of 0 (no cache)', () => {
    expect(
      resolveJwtBearerOptions({ ...required, verifiedTokenCacheSize: 0 }).verifiedTokenCacheSize,
    ).toBe(0);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a maximum token length of %s', (length) => {
    expect(() => resolveJwtBearerOptions({ ...required, maxTokenLength: length })).toThrow(
      'maxTokenLength: must be a whole number above 0',
    );
  });

  it.each([0, -1, Number.NaN])('refuses a JWKS refresh cooldown of %s', (seconds) => {
    expect(() =>
      resolveJwtBearerOptions({ ...required, jwksRefreshCooldownSeconds: seconds }),
    ).toThrow('jwksRefreshCooldownSeconds: must be a number above 0');
  });

  it('takes fewer required claims, or none, for an authority that omits them', () => {
    expect(
      resolveJwtBearerOptions({ ...required, requiredClaims: ['iat', 'client_id'] }).requiredClaims,
    ).toEqual(['iat', 'client_id']);
    expect(resolveJwtBearerOptions({ ...required, requiredClaims: [] }).requiredClaims).toEqual([]);
  });

  it('refuses a required claim outside the RFC 9068 set it governs', () => {
    const options = { ...required, requiredClaims: ['iat', 'tenant', 'exp'] } as JwtBearerOptions;
    expect(() => resolveJwtBearerOptions(options)).toThrow(
      new ConfigurationError('JwtBearerModule configuration', [
        'requiredClaims: tenant is not one of iat, jti, sub, client_id (iss, exp and aud are always required)',
        'requiredClaims: exp is not one of iat, jti, sub, client_id (iss, exp and aud are always required)',
      ]),
    );
    expect(() =>
      resolveJwtBearerOptions({
        ...required,
        requiredClaims: 'iat',
      } as unknown as JwtBearerOptions),
    ).toThrow('requiredClaims: must be a list of iat, jti, sub, client_id');
  });

  it.each([0, -1, Number.NaN, Infinity])('refuses a maximum token lifetime of %s', (seconds) => {
    expect(() =>
      resolveJwtBearerOptions({ ...required, maxTokenLifetimeSeconds: seconds }),
    ).toThrow('maxTokenLifetimeSeconds: must be a number above 0');
  });

  it('refuses an empty algorithm list', () => {
    expect(() => resolveJwtBearerOptions({ ...required, algorithms: [] })).toThrow(
      'algorithms: must list at least one algorithm',
    );
  });

  it('names every problem at once', () => {
    const options = {
      authority: 'not a url',
      audience: '',
      clockSkewSeconds: -1,
      metadataRetrySeconds: 0,
    } as JwtBearerOptions;
    expect(() => resolveJwtBearerOptions(options)).toThrow(
      new ConfigurationError('JwtBearerModule configuration', [
        'authority: "not a url" is not an absolute URL',
        'audience: is required',
        'clockSkewSeconds: must be a number of at least 0',
        'metadataRetrySeconds: must be a number above 0',
      ]),
    );
  });

  it('refuses an authority with a query', () => {
    expect(() =>
      resolveJwtBearerOptions({ ...required, authority: 'https://id.example.com?a=b' }),
    ).toThrow('authority: "https://id.example.com?a=b" must not have a query or fragment');
  });
});

import { Test } from '@nestjs/testing';
import { ConfigurationError } from '@nest-identity/shared';
import { TokenClientModule } from './token-client.module';
import { resolveTokenClientOptions, type TokenClientOptions } from './token-client.options';

const valid: TokenClientOptions = {
  authority: 'https://identity.example/',
  clientId: 'service-a',
  clientSecret: 'a-secret-never-printed',
};

function problemsOf(options: Partial<TokenClientOptions> | Record<string, unknown>): string[] {
  try {
    resolveTokenClientOptions({ ...valid, ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).not.toContain('a-secret-never-printed');
    return [...(error as ConfigurationError).problems];
  }
  return [];
}

describe('resolveTokenClientOptions', () => {
  it('applies the defaults', () => {
    expect(resolveTokenClientOptions(valid)).toEqual({
      authority: 'https://identity.example',
      clientId: 'service-a',
      clientSecret: 'a-secret-never-printed',
      scope: undefined,
      clientAuthentication: 'client_secret_basic',
      refreshBeforeExpirySeconds: 60,
      requestTimeoutSeconds: 5,
      requireHttps: true,
    });
  });

  it('joins a list of scopes, and drops empty names', () => {
    expect(resolveTokenClientOptions({ ...valid, scope: ['api1', 'api2'] }).scope).toBe(
      'api1 api2',
    );
    expect(resolveTokenClientOptions({ ...valid, scope: ' api1  api2 ' }).scope).toBe('api1 api2');
    expect(resolveTokenClientOptions({ ...valid, scope: '' }).scope).toBeUndefined();
  });

  it('takes an explicit token endpoint instead of an authority', () => {
    const options = { ...valid, authority: undefined, tokenEndpoint: 'https://id.example/token' };
    expect(resolveTokenClientOptions(options)).toMatchObject({
      authority: undefined,
      tokenEndpoint: 'https://id.example/token',
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['no authority nor token endpoint', { authority: undefined }, 'authority: is required'],
    [
      'an authority that is no URL',
      { authority: 'identity' },
      'authority: "identity" is not an absolute URL',
    ],
    [
      'an authority with a query',
      { authority: 'https://id.example/?x=1' },
      'must not have a query',
    ],
    ['an http authority', { authority: 'http://id.example' }, 'requireHttps refuses'],
    [
      'an http token endpoint',
      { tokenEndpoint: 'http://id.example/token' },
      'tokenEndpoint: "http://id.example/token" is not https',
    ],
    ['a missing client id', { clientId: '' }, 'clientId: is required'],
    ['a missing secret', { clientSecret: undefined }, 'clientSecret: is required'],
    ['a scope with a quote', { scope: 'api"1' }, 'scope: "api"1" is not a valid scope name'],
    ['a scope of the wrong type', { scope: 42 }, 'scope: must be a space-delimited string'],
    [
      'an unknown authentication method',
      { clientAuthentication: 'private_key_jwt' },
      'clientAuthentication: must be one of client_secret_basic, client_secret_post',
    ],
    [
      'a negative refresh margin',
      { refreshBeforeExpirySeconds: -1 },
      'refreshBeforeExpirySeconds: must be a number of at least 0',
    ],
    [
      'a zero timeout',
      { requestTimeoutSeconds: 0 },
      'requestTimeoutSeconds: must be a number above 0',
    ],
  ])('refuses %s', (_case, options, problem) => {
    expect(problemsOf(options).join('\n')).toContain(problem);
  });

  it('allows http when requireHttps is off (development)', () => {
    expect(problemsOf({ authority: 'http://localhost:5001', requireHttps: false })).toEqual([]);
  });

  it('names every problem in one error', () => {
    expect(problemsOf({ clientId: '', clientSecret: '', requestTimeoutSeconds: 0 })).toHaveLength(
      3,
    );
  });

  it('stops the module from starting, through forRoot and forRootAsync alike', async () => {
    const bad = { ...valid, clientSecret: '' };
    await expect(
      Test.createTestingModule({ imports: [TokenClientModule.forRoot(bad)] }).compile(),
    ).rejects.toThrow('TokenClientModule configuration is invalid: clientSecret: is required');
    await expect(
      Test.createTestingModule({
        imports: [TokenClientModule.forRootAsync({ useFactory: () => bad })],
      }).compile(),
    ).rejects.toThrow('clientSecret: is required');
  });
});

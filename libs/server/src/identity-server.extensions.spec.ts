import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { UnauthorizedClient } from '@nest-identity/shared';
import { hashSecret } from './clients/secret-hash';
import { startInProcessIdentity, type InProcessIdentity } from './identity-app.fixture';
import {
  AccessTokenIssuer,
  AuditEventSink,
  ClientAuthenticationFailed,
  GrantType,
  TokenClaimsService,
  TokenIssued,
  TokenRequestValidator,
  type AuditEvent,
  type Client,
  type GrantHandler,
  type OAuthForm,
  type TokenRequestAmendment,
  type TokenRequestContext,
  type TokenResponse,
} from './index';

// docs/extending.md: each extension point as a host app supplies it, through the package's entry,
// with the authority mounted by IdentityServerModule.forRoot.
const ISSUER = 'http://identity.test';
const SECRET = 'a-client-secret-for-extensions';
const RESOURCE_SECRET = 'a-resource-secret-for-introspection';
const DEMO_GRANT = 'urn:example:params:oauth:grant-type:demo';

const aClient = (clientId: string, extra: Record<string, unknown> = {}) => ({
  clientId,
  clientSecrets: [{ value: hashSecret(SECRET) }],
  allowedGrantTypes: ['client_credentials', DEMO_GRANT],
  allowedScopes: ['api1', 'api2'],
  claims: [{ type: 'tenant', value: 'acme' }],
  ...extra,
});

const config = {
  apiScopes: [{ name: 'api1' }, { name: 'api2' }],
  apiResources: [
    { name: 'api1', scopes: ['api1'], apiSecrets: [{ value: hashSecret(RESOURCE_SECRET) }] },
    { name: 'api2', scopes: ['api2'] },
  ],
  clients: [
    aClient('svc'),
    aClient('looked-up', { accessTokenType: 'reference' }),
    aClient('rogue'),
    aClient('suspended'),
    aClient('narrowed'),
    aClient('widened'),
    aClient('prolonged'),
  ],
};

/** A provider of the host's own, which the extensions below depend on. */
@Injectable()
class TierDirectory {
  tierOf(clientId: string): string {
    return clientId === 'svc' ? 'gold' : 'silver';
  }
}

@Injectable()
class TierClaims extends TokenClaimsService {
  constructor(private readonly directory: TierDirectory) {
    super();
  }

  async claimsFor(context: TokenRequestContext): Promise<Record<string, unknown>> {
    await Promise.resolve();
    if (context.client.clientId === 'rogue') return { sub: 'someone-else' };
    return {
      tier: this.directory.tierOf(context.client.clientId),
      grant: context.grantType,
      // What the service was shown: the scopes after every validator.
      seen_scopes: context.scopes,
    };
  }
}

/** A second service: its claims join the first's. */
@Injectable()
class RegionClaims implements TokenClaimsService {
  claimsFor(): Record<string, unknown> {
    return { region: 'eu-west' };
  }
}

@Injectable()
class ClientPolicy extends TokenRequestValidator {
  validate(context: TokenRequestContext): TokenRequestAmendment | undefined {
    switch (context.client.clientId) {
      case 'suspended':
        throw new UnauthorizedClient('the client is suspended');
      case 'narrowed':
        return { scopes: ['api1'], audiences: ['api1'], lifetime: 60, claims: { narrowed: true } };
      case 'widened':
        return { scopes: [...context.scopes, 'identity.admin'] };
      case 'prolonged':
        return { lifetime: context.lifetime + 1 };
      default:
        return undefined;
    }
  }
}

@Injectable()
class RecordingSink extends AuditEventSink {
  readonly events: AuditEvent[] = [];
  record(event: AuditEvent): void {
    this.events.push(event);
  }
}

/** Fails as an HTTP client would, its error carrying the request it sent. */
@Injectable()
class ThrowingSink extends AuditEventSink {
  record(): void {
    throw Object.assign(new Error('SIEM unreachable'), {
      config: { headers: { authorization: 'Bearer siem-api-key-123' } },
    });
  }
}

@Injectable()
class RejectingSink extends AuditEventSink {
  async record(): Promise<void> {
    await Promise.resolve();
    throw new Error('SIEM rejected the batch');
  }
}

/** The other way to receive audit events, which the sinks must leave working. */
@Injectable()
class IssuedListener {
  readonly issued: TokenIssued[] = [];
  @OnEvent('audit.token.issued')
  onIssued(event: TokenIssued): void {
    this.issued.push(event);
  }
}

/** A grant of the host's own: every extension applies to it as to the built-in grant. */
@Injectable()
@GrantType(DEMO_GRANT)
class DemoGrant implements GrantHandler {
  constructor(private readonly issuer: AccessTokenIssuer) {}

  async handle(request: OAuthForm, client: Client): Promise<TokenResponse> {
    const issued = await this.issuer.issue({
      client,
      request,
      scopes: client.allowedScopes,
      audiences: ['api1', 'api2'],
    });
    return {
      access_token: issued.token,
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      scope: issued.scope,
    };
  }
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as Record<
    string,
    unknown
  >;
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('IdentityServerModule extension points', () => {
  let identity: InProcessIdentity;
  let app: NestFastifyApplication;
  let sink: RecordingSink;
  let errors: jest.SpyInstance;

  let startupEvents: AuditEvent[];

  beforeAll(async () => {
    // The failing sinks fail on the first signing key's event too.
    const quiet = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    identity = await startInProcessIdentity(config, ISSUER, {
      claimsServices: [TierClaims, RegionClaims],
      tokenRequestValidators: [ClientPolicy],
      eventSinks: [ThrowingSink, RejectingSink, RecordingSink],
      providers: [TierDirectory, IssuedListener, DemoGrant],
    });
    app = identity.app;
    sink = app.get(RecordingSink, { strict: false });
    await new Promise((resolve) => setImmediate(resolve));
    startupEvents = [...sink.events];
    quiet.mockRestore();
  });

  afterAll(() => identity?.close());

  beforeEach(() => {
    sink.events.length = 0;
    errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => errors.mockRestore());

  const loggedErrors = () => errors.mock.calls.map((call) => String(call[0]));

  function requestToken(clientId: string, form = 'grant_type=client_credentials', secret = SECRET) {
    return app.inject({
      method: 'POST',
      url: '/connect/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(clientId, secret),
      },
      payload: form,
    });
  }

  /** Lets rejected sink promises settle before the log is read. */
  const settled = () => new Promise((resolve) => setImmediate(resolve));

  describe('a claims service', () => {
    it("adds its claims to the JWT, after the client's configured claims, protocol claims intact", async () => {
      const response = await requestToken('svc', 'grant_type=client_credentials&scope=api1');
      expect(response.statusCode).toBe(200);
      const claims = claimsOf(response.json<{ access_token: string }>().access_token);
      expect(claims).toEqual({
        tenant: 'acme',
        tier: 'gold',
        grant: 'client_credentials',
        seen_scopes: ['api1'],
        region: 'eu-west',
        iss: ISSUER,
        sub: 'svc',
        client_id: 'svc',
        aud: 'api1',
        scope: 'api1',
        iat: expect.any(Number),
        nbf: expect.any(Number),
        exp: expect.any(Number),
        jti: expect.any(String),
      });
    });

    it('adds them to a reference token, as the introspection answer shows', async () => {
      const issued = await requestToken('looked-up', 'grant_type=client_credentials&scope=api1');
      expect(issued.statusCode).toBe(200);
      const token = issued.json<{ access_token: string }>().access_token;
      expect(token.split('.')).toHaveLength(1);

      const introspection = await app.inject({
        method: 'POST',
        url: '/connect/introspect',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basic('api1', RESOURCE_SECRET),
        },
        payload: `token=${encodeURIComponent(token)}`,
      });
      expect(introspection.statusCode).toBe(200);
      expect(introspection.json()).toEqual(
        expect.objectContaining({
          active: true,
          client_id: 'looked-up',
          sub: 'looked-up',
          tenant: 'acme',
          tier: 'silver',
          region: 'eu-west',
          grant: 'client_credentials',
        }),
      );
    });

    it('applies to a grant of the host its own, with that grant type', async () => {
      const response = await requestToken('svc', `grant_type=${encodeURIComponent(DEMO_GRANT)}`);
      expect(response.statusCode).toBe(200);
      expect(claimsOf(response.json<{ access_token: string }>().access_token)).toEqual(
        expect.objectContaining({ tier: 'gold', grant: DEMO_GRANT, scope: 'api1 api2' }),
      );
    });

    it('may not set a protocol claim: invalid_request, no token, the service and the claim logged', async () => {
      const response = await requestToken('rogue');
      expect(response.statusCode).toBe(400);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.json()).toEqual({
        error: 'invalid_request',
        error_description: 'the server cannot issue a token for this request',
      });
      expect(loggedErrors()).toEqual([
        expect.stringMatching(
          /^TokenClaimsService TierClaims added a claim: "sub" is a protocol claim/,
        ),
      ]);
      expect(sink.events.filter((event) => event instanceof TokenIssued)).toEqual([]);
    });
  });

  describe('a token request validator', () => {
    it('refuses with its OAuth error, rendered as every token endpoint error', async () => {
      const response = await requestToken('suspended');
      expect(response.statusCode).toBe(400);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.json()).toEqual({
        error: 'unauthorized_client',
        error_description: 'the client is suspended',
      });
      expect(sink.events.filter((event) => event instanceof TokenIssued)).toEqual([]);
    });

    it('narrows scopes, audiences and lifetime, and adds claims; the response and the audit say so', async () => {
      const response = await requestToken(
        'narrowed',
        'grant_type=client_credentials&scope=api1+api2',
      );
      expect(response.statusCode).toBe(200);
      const body = response.json<{ access_token: string; scope: string; expires_in: number }>();
      expect(body).toEqual(expect.objectContaining({ scope: 'api1', expires_in: 60 }));
      const claims = claimsOf(body.access_token);
      expect(claims).toEqual(
        expect.objectContaining({
          scope: 'api1',
          aud: 'api1',
          narrowed: true,
          seen_scopes: ['api1'],
        }),
      );
      expect((claims.exp as number) - (claims.iat as number)).toBe(60);
      expect(sink.events.filter((event) => event instanceof TokenIssued)).toEqual([
        expect.objectContaining({ clientId: 'narrowed', scope: 'api1', expiresIn: 60 }),
      ]);
    });

    it('narrows a grant of the host its own too', async () => {
      const response = await requestToken(
        'narrowed',
        `grant_type=${encodeURIComponent(DEMO_GRANT)}`,
      );
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(expect.objectContaining({ scope: 'api1', expires_in: 60 }));
    });

    it.each([
      [
        'widened',
        /^TokenRequestValidator ClientPolicy added the scopes identity\.admin: it may only narrow them/,
      ],
      [
        'prolonged',
        /^TokenRequestValidator ClientPolicy set the lifetime to 3601: it may only shorten it/,
      ],
    ])(
      'may only take away (%s): invalid_request, and the misuse logged',
      async (clientId, logged) => {
        const response = await requestToken(clientId);
        expect(response.statusCode).toBe(400);
        expect(response.json()).toEqual({
          error: 'invalid_request',
          error_description: 'the server cannot issue a token for this request',
        });
        expect(loggedErrors()).toEqual([expect.stringMatching(logged)]);
      },
    );
  });

  describe('an event sink', () => {
    it('receives TokenIssued; sinks that throw or reject neither fail the request nor stop the others', async () => {
      const listener = app.get(IssuedListener, { strict: false });
      listener.issued.length = 0;
      const response = await requestToken('svc');
      await settled();

      expect(response.statusCode).toBe(200);
      expect(sink.events).toEqual([
        expect.objectContaining({
          name: 'audit.token.issued',
          clientId: 'svc',
          grantType: 'client_credentials',
          scope: 'api1 api2',
        }),
      ]);
      expect(sink.events[0]).toBeInstanceOf(TokenIssued);
      expect(listener.issued).toEqual([sink.events[0]]);
      expect(loggedErrors().sort()).toEqual([
        'the event sink RejectingSink failed on audit.token.issued: SIEM rejected the batch',
        'the event sink ThrowingSink failed on audit.token.issued: SIEM unreachable',
      ]);
      expect(JSON.stringify(errors.mock.calls)).not.toContain('siem-api-key-123');
    });

    it('receives ClientAuthenticationFailed for a wrong secret, which is still answered invalid_client', async () => {
      const response = await requestToken('svc', 'grant_type=client_credentials', 'wrong-secret!');
      await settled();

      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual(expect.objectContaining({ error: 'invalid_client' }));
      expect(sink.events).toEqual([
        expect.objectContaining({
          name: 'audit.client.authentication_failed',
          clientId: 'svc',
          method: 'client_secret_basic',
          reason: 'secret wrong or expired',
        }),
      ]);
      expect(sink.events[0]).toBeInstanceOf(ClientAuthenticationFailed);
      expect(JSON.stringify(sink.events)).not.toContain('wrong-secret!');
    });
  });

  describe('at start-up', () => {
    it('the sinks receive the events recorded while the authority starts (its first signing key)', () => {
      expect(startupEvents).toEqual([
        expect.objectContaining({ name: 'audit.signing_key.rotated', action: 'created' }),
      ]);
    });

    class NotAValidator {}

    it('refuses a class without the extension point its method', async () => {
      await expect(
        startInProcessIdentity(config, ISSUER, {
          tokenRequestValidators: [NotAValidator as never],
        }),
      ).rejects.toThrow('NotAValidator has no method validate() (docs/extending.md)');
    });
  });
});

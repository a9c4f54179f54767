// Test-only entry (@nest-identity/jwt-bearer/testing), like @nestjs/testing: a local authority that
// publishes discovery and a JWKS over real HTTP, and signs access tokens. Never bundled into an
// app, since only specs import it.
import {
  constants,
  createHmac,
  generateKeyPairSync,
  randomUUID,
  sign,
  type KeyObject,
  type SignKeyObjectInput,
} from 'node:crypto';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuthPaths } from '@nest-identity/shared';

/** The algorithms a TestSigningKey signs with, as the identity does. */
export type TestAlgorithm = 'RS256' | 'PS256' | 'ES256' | 'EdDSA';

const TEST_ALGORITHMS: Record<
  TestAlgorithm,
  { generate: () => { privateKey: KeyObject; publicKey: KeyObject }; digest: string | null }
> = {
  RS256: { generate: () => generateKeyPairSync('rsa', { modulusLength: 2048 }), digest: 'sha256' },
  PS256: { generate: () => generateKeyPairSync('rsa', { modulusLength: 2048 }), digest: 'sha256' },
  ES256: { generate: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }), digest: 'sha256' },
  EdDSA: { generate: () => generateKeyPairSync('ed25519'), digest: null },
};

const SIGN_OPTIONS: Record<TestAlgorithm, Omit<SignKeyObjectInput, 'key'>> = {
  RS256: { padding: constants.RSA_PKCS1_PADDING },
  PS256: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
  ES256: { dsaEncoding: 'ieee-p1363' },
  EdDSA: {},
};

/** A key pair with its `kid`, RS256 unless told; its JWK names its `alg`. */
export class TestSigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicJwk: Record<string, unknown>;
  readonly publicKeyPem: string;

  constructor(
    readonly kid: string = randomUUID(),
    readonly alg: TestAlgorithm = 'RS256',
  ) {
    const { privateKey, publicKey } = TEST_ALGORITHMS[alg].generate();
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg };
    this.publicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  }

  /** A JWS signature of `input` by this key, as its own algorithm makes it. */
  sign(input: string): Buffer {
    return sign(TEST_ALGORITHMS[this.alg].digest, Buffer.from(input), {
      key: this.privateKey,
      ...SIGN_OPTIONS[this.alg],
    });
  }
}

/** Claims or header members to change; `undefined` removes one. */
export interface TokenChanges {
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  /** Sign with this key instead of the authority's first one. */
  key?: TestSigningKey;
  /** Sign HS256 with this secret (an attack: the key is public). */
  hmacSecret?: string;
}

export class FakeAuthority {
  /** When false, every connection is cut, as if the host were down. */
  available = true;
  /** The `issuer` the metadata document claims; by default the real one. */
  issuerInMetadata?: string;
  metadataStatus = 200;
  /** The keys the JWKS publishes. */
  publishedKeys: TestSigningKey[];
  readonly requests = { metadata: 0, jwks: 0, introspection: 0 };
  /**
   * When set, discovery names an `introspection_endpoint` (RFC 7662) that answers with this:
   * it gets the form's `token` and the Basic credentials (decoded id and secret, or undefined).
   */
  introspect?: (
    token: string | null,
    credentials: { id: string; secret: string } | undefined,
  ) => { status?: number; body: unknown } | Promise<{ status?: number; body: unknown }>;

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
    readonly signingKey: TestSigningKey,
  ) {
    this.publishedKeys = [signingKey];
  }

  static async start(): Promise<FakeAuthority> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const authority = new FakeAuthority(server, `http://127.0.0.1:${port}`, new TestSigningKey());
    server.on('request', (request, response) => {
      if (!authority.available) return void request.socket.destroy();
      const reply = (status: number, body: unknown) =>
        response
          .writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify(body));
      if (request.url === OAuthPaths.OpenIdConfiguration) {
        authority.requests.metadata++;
        reply(authority.metadataStatus, {
          issuer: authority.issuerInMetadata ?? authority.issuer,
          jwks_uri: `${authority.issuer}${OAuthPaths.Jwks}`,
          token_endpoint: `${authority.issuer}${OAuthPaths.Token}`,
          ...(authority.introspect
            ? { introspection_endpoint: `${authority.issuer}${OAuthPaths.Introspection}` }
            : {}),
        });
      } else if (request.url === OAuthPaths.Jwks) {
        authority.requests.jwks++;
        reply(200, { keys: authority.publishedKeys.map((key) => key.publicJwk) });
      } else if (request.url === OAuthPaths.Introspection && authority.introspect) {
        authority.requests.introspection++;
        const introspect = authority.introspect;
        void readForm(request)
          .then((form) => introspect(form.get('token'), basicCredentials(request)))
          .then(({ status = 200, body }) => reply(status, body));
      } else reply(404, {});
    });
    return authority;
  }

  /** A valid RFC 9068 access token for audience `api1` and scope `api1`, unless changed. The
   * signature is by the key's own algorithm, whatever the header says. */
  signAccessToken(changes: TokenChanges = {}): string {
    const key = changes.key ?? this.signingKey;
    const now = Math.floor(Date.now() / 1000);
    const header = definedOnly({
      alg: changes.hmacSecret === undefined ? key.alg : 'HS256',
      typ: 'at+jwt',
      kid: key.kid,
      ...changes.header,
    });
    const claims = definedOnly({
      iss: this.issuer,
      sub: 'client',
      client_id: 'client',
      aud: 'api1',
      scope: 'api1',
      iat: now,
      nbf: now,
      exp: now + 300,
      jti: randomUUID(),
      ...changes.claims,
    });
    const input = `${base64url(header)}.${base64url(claims)}`;
    const signature =
      changes.hmacSecret === undefined
        ? key.sign(input)
        : createHmac('sha256', changes.hmacSecret).update(input).digest();
    return `${input}.${signature.toString('base64url')}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * A DPoP key pair (RFC 9449) for tests: its `jkt` goes into a token's `cnf`, and `proof()` signs
 * a DPoP proof JWT for one request, valid unless changed.
 */
export class TestDPoPKey {
  readonly key: TestSigningKey;
  readonly publicJwk: Record<string, unknown>;
  /** RFC 7638 thumbprint of the public key. */
  readonly jkt: string;

  constructor(alg: TestAlgorithm = 'ES256') {
    this.key = new TestSigningKey(undefined, alg);
    const jwk = this.key.publicKey.export({ format: 'jwk' }) as Record<string, string>;
    this.publicJwk = jwk;
    const members =
      jwk.kty === 'RSA'
        ? ['e', 'kty', 'n']
        : jwk.kty === 'EC'
          ? ['crv', 'kty', 'x', 'y']
          : ['crv', 'kty', 'x'];
    const canonical = JSON.stringify(Object.fromEntries(members.map((m) => [m, jwk[m]])));
    this.jkt = createHash('sha256').update(canonical).digest('base64url');
  }

  /** A proof for `htm` `htu` carrying `ath` of `accessToken`; `undefined` in changes removes. */
  proof(
    request: { htm: string; htu: string; accessToken?: string },
    changes: {
      header?: Record<string, unknown>;
      claims?: Record<string, unknown>;
      signWith?: TestSigningKey;
    } = {},
  ): string {
    const header = definedOnly({
      typ: 'dpop+jwt',
      alg: this.key.alg,
      jwk: this.publicJwk,
      ...changes.header,
    });
    const claims = definedOnly({
      jti: randomUUID(),
      htm: request.htm,
      htu: request.htu,
      iat: Math.floor(Date.now() / 1000),
      ath:
        request.accessToken === undefined
          ? undefined
          : createHash('sha256').update(request.accessToken).digest('base64url'),
      ...changes.claims,
    });
    const input = `${base64url(header)}.${base64url(claims)}`;
    return `${input}.${(changes.signWith ?? this.key).sign(input).toString('base64url')}`;
  }
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function basicCredentials(request: IncomingMessage): { id: string; secret: string } | undefined {
  const match = /^Basic (.+)$/i.exec(request.headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const decode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function definedOnly(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

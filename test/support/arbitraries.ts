import fc from 'fast-check';

/**
 * fast-check generators of hostile input, shared by the in-process property specs and the e2e
 * ones: token requests for the identity, Authorization headers for the weather-api.
 */

export interface ClientCredentials {
  readonly id: string;
  readonly secret: string;
}

/** What a generated token request sends; `body` is text or raw bytes (maybe not UTF-8). */
export interface ArbitraryTokenRequest {
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  readonly body: string | Buffer;
}

const TOKEN_PARAMETERS = [
  'grant_type',
  'client_id',
  'client_secret',
  'scope',
  'client_assertion',
  'client_assertion_type',
  'assertion',
  'resource',
  'audience',
];
const HOSTILE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'a[]', 'a[b]', ''];

/** Characters Node lets a client put in a header value: HTAB, SP, VCHAR and obs-text. */
const headerChar = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 1, arbitrary: fc.constant(0x09) },
  { weight: 2, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
);

/** A header value Node's HTTP client will send as is (latin1). */
export function headerValue(maxLength = 200): fc.Arbitrary<string> {
  return fc.array(headerChar, { maxLength }).map((codes) => String.fromCharCode(...codes).trim());
}

const BASE64URL_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const base64urlSegment = fc
  .array(fc.constantFrom(...BASE64URL_CHARS.split('')), { maxLength: 120 })
  .map((chars) => chars.join(''));

/** Lengths on either side of each bound, and far beyond. */
const boundaryLength = fc.constantFrom(63, 64, 65, 199, 200, 201, 511, 512, 513, 1024, 1025);
const longValue = fc.oneof(
  boundaryLength.map((n) => 'a'.repeat(n)),
  fc.integer({ min: 2000, max: 9000 }).map((n) => 'b'.repeat(n)),
);

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${formEncode(id)}:${formEncode(secret)}`).toString('base64')}`;
}

/**
 * Token requests of every shape: real parameter names with random or real values, hostile names,
 * raw bodies with malformed %-encoding, NUL or non-UTF-8 bytes, many `&`; random media types;
 * client authentication by Basic, by the form, both, neither, or with mixed-up credentials.
 */
export function tokenRequestArbitrary(
  clients: readonly ClientCredentials[],
): fc.Arbitrary<ArbitraryTokenRequest> {
  const ids = clients.map((client) => client.id);
  const secrets = clients.map((client) => client.secret);
  const name = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...TOKEN_PARAMETERS) },
    { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_NAMES) },
    { weight: 1, arbitrary: fc.string({ maxLength: 70 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  );
  const value = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ids, ...secrets, 'client_credentials', 'api1') },
    { weight: 1, arbitrary: fc.constantFrom('api1 api1', 'api2', 'password', '', '\u0000') },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: longValue },
  );
  // A secret sent as the client id is what the caller chose to make public: the audit trail
  // records the client id presented, so such a draw would trip the run's log scan for secrets.
  const pair = fc
    .tuple(name, value)
    .filter(([key, text]) => !(key === 'client_id' && secrets.includes(text)));
  const pairs = fc.array(pair, { maxLength: 25 });
  // A request that presents the right form credentials now and then, mixed with the rest.
  const credentialPairs = fc
    .tuple(fc.constantFrom(...clients), fc.constantFrom(...secrets))
    .map(([client, secret]): [string, string][] => [
      ['grant_type', 'client_credentials'],
      ['client_id', client.id],
      ['client_secret', secret],
    ]);
  const encodedForm = fc
    .tuple(pairs, fc.option(credentialPairs, { freq: 2 }), fc.boolean())
    .map(([random, credentials, credentialsFirst]) => {
      const all = credentials
        ? credentialsFirst
          ? [...credentials, ...random.slice(0, 3)]
          : [...random.slice(0, 3), ...credentials]
        : random;
      return new URLSearchParams(all).toString();
    });
  const rawForm = fc
    .array(fc.tuple(fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ maxLength: 30 })), {
      maxLength: 30,
    })
    .map((raw) => raw.map(([n, v]) => `${n}=${v}`).join('&'));
  const body = fc.oneof(
    { weight: 6, arbitrary: encodedForm },
    { weight: 2, arbitrary: rawForm },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 17_000 }).map((n) => '&'.repeat(n)) },
    { weight: 1, arbitrary: fc.integer({ min: 21, max: 3000 }).map(manyParameters) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'grant_type=client_credentials&client_id=%zz&client_secret=%',
        'grant_type=client_credentials&client_id=%00&client_secret=%FF%FE',
        '__proto__[admin]=1&constructor[prototype][x]=1&grant_type=client_credentials',
        `grant_type=client_credentials&${'x'.repeat(17_000)}`,
      ),
    },
  );
  const contentType = fc.oneof(
    { weight: 8, arbitrary: fc.constant('application/x-www-form-urlencoded') },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        undefined,
        'application/x-www-form-urlencoded; charset=utf-8',
        'APPLICATION/X-WWW-FORM-URLENCODED;charset=latin1',
        'application/json',
        'text/plain',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded, application/json',
        ';',
      ),
    },
    { weight: 1, arbitrary: headerValue(60) },
  );
  const authorization = fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.constantFrom(...ids, 'nobody', ''), fc.constantFrom(...secrets, 'wrong', ''))
        .map(([id, secret]) => basic(id, secret)),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('Basic', 'basic', 'BASIC', 'Bearer', 'Digest', ''), headerValue())
        .map(([scheme, rest]) => `${scheme} ${rest}`.trim()),
    },
    {
      weight: 1,
      arbitrary: fc
        .string({ unit: 'binary', maxLength: 60 })
        .map((text) => `Basic ${Buffer.from(text).toString('base64')}`),
    },
    { weight: 1, arbitrary: longValue.map((text) => `Basic ${text}`) },
  );
  return fc.record({ contentType, authorization, body });
}

function manyParameters(count: number): string {
  return Array.from({ length: count }, (_, i) => `p${i}=${i}`).join('&');
}

/**
 * Whether the request presents `client`'s id and secret, by Basic or in a form body: read
 * independently of the identity's own parsing, as the oracle of the property specs.
 */
export function presentsCredentials(
  request: ArbitraryTokenRequest,
  client: ClientCredentials,
): boolean {
  return basicPresents(request.authorization, client) || formPresents(request.body, client);
}

function basicPresents(authorization: string | undefined, client: ClientCredentials): boolean {
  const match = /^basic +(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1]) return false;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  try {
    const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
    return (
      decode(decoded.slice(0, colon)) === client.id &&
      decode(decoded.slice(colon + 1)) === client.secret
    );
  } catch {
    return false;
  }
}

function formPresents(body: string | Buffer, client: ClientCredentials): boolean {
  const form = new URLSearchParams(body.toString());
  return form.get('client_id') === client.id && form.get('client_secret') === client.secret;
}

/**
 * Authorization header values aimed at a bearer-token parser: random schemes and whitespace,
 * bearer values of random base64url segments with dots, JOSE headers of random JSON, and long
 * values (kept under Node's 16 KiB header limit).
 */
export function authorizationHeaderArbitrary(): fc.Arbitrary<string> {
  const scheme = fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'Token', 'DPoP', '');
  const space = fc.constantFrom(' ', '  ', '\t', ' \t ', '');
  const segments = fc
    .array(base64urlSegment, { minLength: 1, maxLength: 6 })
    .map((parts) => parts.join('.'));
  const jsonSegment = fc
    .oneof(
      fc.json({ maxDepth: 3 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    )
    .map((text) => Buffer.from(text).toString('base64url'));
  const joseLike = fc
    .tuple(
      fc.oneof(
        jsonSegment,
        fc
          .record(
            {
              alg: fc.constantFrom('RS256', 'none', 'HS256', 'ES256', 'EdDSA', 'PS256'),
              typ: fc.constantFrom('at+jwt', 'JWT', 'x'),
              kid: fc.string({ maxLength: 50 }),
              jku: fc.webUrl(),
              crit: fc.array(fc.string({ maxLength: 5 })),
            },
            { requiredKeys: [] },
          )
          .map((header) => Buffer.from(JSON.stringify(header)).toString('base64url')),
      ),
      jsonSegment,
      base64urlSegment,
    )
    .map((parts) => parts.join('.'));
  const token = fc.oneof(
    { weight: 3, arbitrary: segments },
    { weight: 3, arbitrary: joseLike },
    { weight: 2, arbitrary: headerValue() },
    { weight: 1, arbitrary: fc.integer({ min: 1000, max: 15_000 }).map((n) => 'A'.repeat(n)) },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 5000 }).map((n) => `${'a.'.repeat(n)}a`) },
  );
  return fc.oneof(
    { weight: 8, arbitrary: fc.tuple(scheme, space, token).map((parts) => parts.join('')) },
    { weight: 2, arbitrary: headerValue() },
  );
}

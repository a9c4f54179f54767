import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import {
  basicAuthorization,
  freePort,
  getJson,
  runToExit,
  seedClient,
  startIdentity,
  startWeatherApi,
  tempDir,
  type RunningApp,
  type RunningIdentity,
} from '../support';

// Issue 5 §7: both apps serve HTTPS when given a certificate and key, send the usual security
// headers, and the weather-api refuses an http:// authority in production unless told otherwise.

/** A self-signed certificate for localhost, made with the machine's openssl. */
function selfSignedCertificate(): { certFile: string; keyFile: string } {
  const dir = tempDir('tls-');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile };
}

interface HttpsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: unknown;
}

/** A request over HTTPS that trusts `ca` alone (fetch cannot be given a CA). */
function httpsCall(
  url: string,
  ca: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers, ca },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            json: text === '' ? undefined : (JSON.parse(text) as unknown),
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

describe('HTTPS', () => {
  const tls = selfSignedCertificate();
  const ca = execFileSync('cat', [tls.certFile], { encoding: 'utf8' });
  let identity: RunningIdentity;
  let api: RunningApp;

  beforeAll(async () => {
    const port = await freePort();
    identity = await startIdentity({
      port,
      env: {
        TLS_CERT_FILE: tls.certFile,
        TLS_KEY_FILE: tls.keyFile,
        ISSUER: `https://localhost:${port}`,
      },
    });
    // In production, with an https authority whose certificate it trusts.
    api = await startWeatherApi({
      env: {
        NODE_ENV: 'production',
        AUTHORITY: identity.url,
        NODE_EXTRA_CA_CERTS: tls.certFile,
        TLS_CERT_FILE: tls.certFile,
        TLS_KEY_FILE: tls.keyFile,
      },
    });
  });
  afterAll(() => Promise.all([api?.stop(), identity?.stop()]));

  it('the identity serves discovery and tokens over HTTPS, with an https issuer', async () => {
    expect(identity.url).toMatch(/^https:/);
    const discovery = await httpsCall(`${identity.url}/.well-known/openid-configuration`, ca);
    expect(discovery.status).toBe(200);
    expect(discovery.json).toMatchObject({
      issuer: identity.url,
      token_endpoint: `${identity.url}/connect/token`,
      jwks_uri: `${identity.url}/.well-known/openid-configuration/jwks`,
    });
  });

  it('HTTPS answers carry Strict-Transport-Security', async () => {
    const response = await httpsCall(`${identity.url}/health`, ca);
    expect(response.headers['strict-transport-security']).toBe(
      'max-age=31536000; includeSubDomains',
    );
  });

  it('a production weather-api validates tokens from the https authority', async () => {
    const token = await httpsCall(`${identity.url}/connect/token`, ca, {
      method: 'POST',
      headers: {
        authorization: basicAuthorization(seedClient),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(token.status).toBe(200);
    const { access_token } = token.json as { access_token: string };
    const forecast = await httpsCall(`${api.url}/weatherforecast`, ca, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(forecast.status).toBe(200);
    expect(forecast.json).toHaveLength(5);
  });

  it('plain HTTP to the HTTPS port gets no answer', async () => {
    await expect(
      fetch(identity.url.replace('https:', 'http:') + '/health', {
        signal: AbortSignal.timeout(5000),
      }),
    ).rejects.toThrow();
  });
});

describe('TLS settings that cannot work stop the start with one line', () => {
  it.each([
    [
      'TLS_CERT_FILE without TLS_KEY_FILE',
      { TLS_CERT_FILE: '/nonexistent/cert.pem' },
      'TLS_KEY_FILE',
    ],
    [
      'TLS_KEY_FILE without TLS_CERT_FILE',
      { TLS_KEY_FILE: '/nonexistent/key.pem' },
      'TLS_CERT_FILE',
    ],
    [
      'an unreadable certificate',
      { TLS_CERT_FILE: '/nonexistent/cert.pem', TLS_KEY_FILE: '/nonexistent/key.pem' },
      'TLS_CERT_FILE: cannot read /nonexistent/cert.pem',
    ],
  ])('%s', async (_case, env, named) => {
    for (const app of ['identity', 'weather-api'] as const) {
      const result = await runToExit(app, {
        ...env,
        PORT: String(await freePort()),
        IDENTITY_DATA_DIR: tempDir(),
      });
      expect(result.code).not.toBe(0);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^${app}: cannot start: .*${named}`));
    }
  });

  it('a key that does not parse as PEM', async () => {
    const dir = tempDir('tls-bad-');
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate');
    const result = await runToExit('weather-api', {
      PORT: String(await freePort()),
      TLS_CERT_FILE: garbage,
      TLS_KEY_FILE: garbage,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^weather-api: cannot start: /);
  });
});

describe('REQUIRE_HTTPS_METADATA (JwtBearer: refuse an http:// authority)', () => {
  it('in production, the weather-api refuses an http:// authority', async () => {
    const result = await runToExit('weather-api', {
      NODE_ENV: 'production',
      AUTHORITY: 'http://localhost:5001',
      PORT: String(await freePort()),
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      /^weather-api: cannot start: .*http:\/\/localhost:5001.*not https/,
    );
  });

  it('REQUIRE_HTTPS_METADATA=true refuses it outside production too', async () => {
    const result = await runToExit('weather-api', {
      REQUIRE_HTTPS_METADATA: 'true',
      AUTHORITY: 'http://localhost:5001',
      PORT: String(await freePort()),
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/not https/);
  });

  it('in production with REQUIRE_HTTPS_METADATA=false, it starts', async () => {
    const api = await startWeatherApi({
      env: {
        NODE_ENV: 'production',
        REQUIRE_HTTPS_METADATA: 'false',
        AUTHORITY: 'http://localhost:5001',
      },
    });
    expect((await getJson(`${api.url}/health`)).status).toBe(200);
    await api.stop();
  });
});

describe('security headers on both apps', () => {
  let identity: RunningIdentity;
  let api: RunningApp;

  beforeAll(async () => {
    identity = await startIdentity();
    api = await startWeatherApi({ env: { AUTHORITY: identity.url } });
  });
  afterAll(() => Promise.all([api?.stop(), identity?.stop()]));

  it.each([
    ['identity', '/.well-known/openid-configuration'],
    ['identity', '/connect/token'],
    ['weather-api', '/weatherforecast'],
  ])('%s %s', async (app, path) => {
    const base = app === 'identity' ? identity.url : api.url;
    const response = await fetch(`${base}${path}`, {
      method: path === '/connect/token' ? 'POST' : 'GET',
    });
    const header = (name: string) => response.headers.get(name);
    expect(header('x-content-type-options')).toBe('nosniff');
    expect(header('x-frame-options')).toBe('DENY');
    expect(header('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    expect(header('referrer-policy')).toBe('no-referrer');
    expect(header('cross-origin-resource-policy')).toBe('same-origin');
    expect(header('x-request-id')).toMatch(/^[\w.:-]{1,64}$/);
    // Over plain HTTP, HSTS would be ignored: it is sent only over HTTPS.
    expect(header('strict-transport-security')).toBeNull();
    expect(header('x-powered-by')).toBeNull();
  });
});

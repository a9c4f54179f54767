import { hashSecret, startIdentity, writeConfig } from '../support';

// Issue 12 §8: the image ships the seed configuration, whose secret is published. In production
// the identity says so at start-up, naming the client and the fix, and still starts.

const WARNING = /client \\"client\\" of the configuration file accepts a secret published/;

describe('a published demo secret at start-up', () => {
  it('is a warning naming the client and the fix in production; the identity still serves', async () => {
    const identity = await startIdentity({ env: { NODE_ENV: 'production' } });
    try {
      const warning = identity
        .output()
        .split('\n')
        .find((line) => WARNING.test(line));
      expect(warning).toBeDefined();
      expect(JSON.parse(warning as string)).toMatchObject({ level: 40 });
      expect(warning).toContain('mount your own configuration file at IDENTITY_CONFIG');
      const token = await fetch(`${identity.url}/connect/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&client_id=client&client_secret=secret',
      });
      expect(token.status).toBe(200);
    } finally {
      await identity.stop();
    }
  });

  it('is not given outside production, nor for a client with a secret of its own', async () => {
    const ownConfig = writeConfig({
      apiScopes: [{ name: 'api1' }],
      apiResources: [{ name: 'api1', scopes: ['api1'] }],
      clients: [
        {
          clientId: 'client',
          clientSecrets: [{ value: hashSecret('a secret nobody published') }],
          allowedGrantTypes: ['client_credentials'],
          allowedScopes: ['api1'],
        },
      ],
    });
    const [development, ownSecret] = await Promise.all([
      startIdentity(),
      startIdentity({ env: { NODE_ENV: 'production' }, configFile: ownConfig }),
    ]);
    try {
      expect(development.output()).not.toMatch(WARNING);
      expect(ownSecret.output()).not.toMatch(WARNING);
      expect(ownSecret.output()).toContain('identity listening on');
    } finally {
      await Promise.all([development.stop(), ownSecret.stop()]);
    }
  });
});

import type { Client } from './client';
import { clientsWithDemoSecrets, PublishedDemoSecrets } from './demo-secrets';
import { sha256 } from './secret-hash';

const client = (clientId: string, ...secrets: string[]) =>
  ({ clientId, secrets: secrets.map((s) => ({ sha256: sha256(s) })) }) as unknown as Client;

describe('clientsWithDemoSecrets', () => {
  it('names every client that accepts a published secret, among others of its own', () => {
    expect(
      clientsWithDemoSecrets([
        client('seed', 'secret'),
        client('own', 'a long generated secret'),
        client('rotating', 'a long generated secret', 'the admin secret'),
        client('none'),
      ]),
    ).toEqual(['seed', 'rotating']);
  });

  it("knows the seed configuration's secret and the README's examples", () => {
    expect(PublishedDemoSecrets).toEqual(
      expect.arrayContaining(['secret', 'the secret', 'the admin secret']),
    );
  });
});

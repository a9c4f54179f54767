import { copyFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startInProcessIdentity, type InProcessIdentity } from '../identity-app.fixture';

const config = { apiScopes: [], apiResources: [], clients: [] };

/** Issue 12 §13: readiness notices that the SQLite file under a running identity is gone. */
describe('/health/ready and the SQLite file', () => {
  let identity: InProcessIdentity;
  let file: string;

  beforeEach(async () => {
    identity = await startInProcessIdentity(config, 'http://identity.test');
    file = join(process.env.IDENTITY_DATA_DIR as string, 'identity.sqlite');
  });
  afterEach(() => identity?.close());

  const ready = () => identity.app.inject({ method: 'GET', url: '/health/ready' });

  it('is up with the file in place, and down once the file is deleted', async () => {
    const before = await ready();
    expect(before.statusCode).toBe(200);
    expect(before.json()).toMatchObject({ details: { storeFile: { status: 'up' } } });

    rmSync(file);
    const after = await ready();
    expect(after.statusCode).toBe(503);
    expect(after.json()).toMatchObject({
      status: 'error',
      error: {
        storeFile: {
          status: 'down',
          message: expect.stringMatching(/identity\.sqlite was deleted while the identity runs/),
        },
      },
    });
  });

  it('is down when another file took its place', async () => {
    copyFileSync(file, `${file}.copy`);
    renameSync(`${file}.copy`, file);
    const response = await ready();
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      error: { storeFile: { message: expect.stringContaining('was replaced') } },
    });
  });
});

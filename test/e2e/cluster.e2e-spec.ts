import { execFileSync } from 'node:child_process';
import {
  decodeJwt,
  eventually,
  fetchJwks,
  freePort,
  getToken,
  runToExit,
  startIdentity,
  verifiesWith,
  type RunningIdentity,
} from '../support';

// IDENTITY_WORKERS=N: one port served by N processes that share clients and keys through the
// store, so every worker signs with the same key and publishes the same JWKS.
describe('identity with IDENTITY_WORKERS=2', () => {
  let identity: RunningIdentity;
  const client = { id: 'client', secret: 'secret' };
  const listeningLines = () => identity.output().match(/identity listening on/g)?.length ?? 0;
  const workerPids = () =>
    execFileSync('pgrep', ['-P', String(identity.process.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);

  beforeAll(async () => {
    identity = await startIdentity({ env: { IDENTITY_WORKERS: '2' } });
    expect(await eventually(() => Promise.resolve(listeningLines() === 2), 20_000)).toBe(true);
  });
  afterAll(() => identity?.stop());

  it('serves tokens from both workers, all signed by the one published key', async () => {
    expect(workerPids()).toHaveLength(2);
    const tokens = await Promise.all(
      Array.from({ length: 40 }, () => getToken(identity.url, client)),
    );
    const { keys } = await fetchJwks(identity.url);
    expect(keys).toHaveLength(1);
    for (const token of tokens) {
      expect(decodeJwt(token).header.kid).toBe(keys[0].kid);
      expect(verifiesWith(token, keys[0])).toBe(true);
    }
  });

  it('replaces a worker that dies, and keeps serving meanwhile', async () => {
    const [victim] = workerPids();
    process.kill(victim, 'SIGKILL');
    // Connections the dead worker held are gone; new ones reach the surviving worker.
    const served = () =>
      getToken(identity.url, client).then(
        () => true,
        () => false,
      );
    expect(await eventually(served, 5_000, 50)).toBe(true);
    expect(await eventually(() => Promise.resolve(listeningLines() === 3), 20_000)).toBe(true);
    const pids = workerPids();
    expect(pids).toHaveLength(2);
    expect(pids).not.toContain(victim);
    await getToken(identity.url, client);
  });

  it('stops every worker on SIGTERM', async () => {
    const pids = workerPids();
    await identity.stop('SIGTERM');
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });
});

describe('identity with an invalid IDENTITY_WORKERS', () => {
  it.each(['0', 'many', '-1'])('refuses %s with one line and exit code 1', async (value) => {
    const result = await runToExit('identity', {
      PORT: String(await freePort()),
      IDENTITY_WORKERS: value,
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^identity: cannot start: IDENTITY_WORKERS: /),
    ]);
  });
});

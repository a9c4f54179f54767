import type { FastifyRequest } from 'fastify';
import { generateKeyPairSync } from 'node:crypto';
import {
  InvalidDPoPProof,
  InvalidRequest,
  TemporarilyUnavailable,
  UseDPoPNonce,
} from '@nest-identity/shared';
import { aClient } from '../clients/client.fixture';
import type { IdentitySettings } from '../config/identity-settings';
import { toSigningKey } from '../keys/signing-key';
import { MemoryReplayCache } from '../replay/memory.replay-cache';
import type { ReplayCache } from '../replay/replay-cache';
import { DPoPSigningAlgorithms } from './dpop-algorithms';
import { DPoPNonces } from './dpop-nonces';
import { DPoPProofChecker } from './dpop-proof.checker';
import { aDPoPKey, aDPoPProof } from './dpop-proof.fixture';

const ISSUER = 'https://id.example.com';
const signingKey = toSigningKey(
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  'ES256',
);
const nonces = new DPoPNonces({
  getActiveKey: () => Promise.resolve(signingKey),
  getPublishedKeys: () => Promise.resolve([signingKey]),
});

function checker(requireNonce: boolean, replays: ReplayCache = new MemoryReplayCache()) {
  const settings = { issuer: ISSUER, dpop: { requireNonce } } as IdentitySettings;
  return new DPoPProofChecker(nonces, replays, settings);
}

/** A request with these `DPoP` headers, as Node lists them in rawHeaders. */
function request(...proofs: string[]): FastifyRequest {
  return {
    raw: { rawHeaders: ['Host', 'id.example.com', ...proofs.flatMap((p) => ['DPoP', p])] },
  } as unknown as FastifyRequest;
}

describe('DPoPProofChecker', () => {
  const key = aDPoPKey();
  const client = aClient();

  it('binds nothing without a proof', async () => {
    await expect(checker(true).check(request(), client)).resolves.toBeUndefined();
  });

  it('refuses a client that must use DPoP and sent no proof with invalid_request', async () => {
    await expect(checker(true).check(request(), aClient({ requireDPoP: true }))).rejects.toThrow(
      new InvalidRequest('the client must send a DPoP proof'),
    );
  });

  it('refuses a proof the reader refuses as invalid_dpop_proof, naming the rule', async () => {
    const proof = aDPoPProof(key, { htm: 'GET' });
    await expect(checker(false).check(request(proof), client)).rejects.toThrow(
      new InvalidDPoPProof('the DPoP proof htm does not match the request method'),
    );
  });

  it("reads proofs with the identity's rules: iat at most 60 s off, 8 KiB at most", async () => {
    const at = (offset: number) => aDPoPProof(key, { iat: Math.floor(Date.now() / 1000) + offset });
    await expect(checker(false).check(request(at(-55)), client)).resolves.toBeDefined();
    await expect(checker(false).check(request(at(55)), client)).resolves.toBeDefined();
    await expect(checker(false).check(request(at(-65)), client)).rejects.toThrow(
      new InvalidDPoPProof('the DPoP proof iat is too old'),
    );
    await expect(checker(false).check(request(at(65)), client)).rejects.toThrow(
      new InvalidDPoPProof('the DPoP proof iat is in the future'),
    );
    const padded = aDPoPProof(key, { pad: 'p'.repeat(8192) });
    await expect(checker(false).check(request(padded), client)).rejects.toThrow(
      new InvalidDPoPProof('the DPoP proof is too large'),
    );
  });

  it('accepts exactly the asymmetric algorithms, as discovery lists them', async () => {
    expect(DPoPSigningAlgorithms).toEqual([
      'RS256',
      'RS384',
      'RS512',
      'PS256',
      'PS384',
      'PS512',
      'ES256',
      'ES384',
      'ES512',
      'EdDSA',
      'Ed25519',
    ]);
    const hs256 = aDPoPProof(key, {}, { alg: 'HS256' });
    await expect(checker(false).check(request(hs256), client)).rejects.toThrow(
      new InvalidDPoPProof('the DPoP proof alg is not an accepted asymmetric algorithm'),
    );
  });

  it('refuses two DPoP headers', async () => {
    await expect(
      checker(false).check(request(aDPoPProof(key), aDPoPProof(key)), client),
    ).rejects.toThrow(new InvalidDPoPProof('exactly one DPoP header is allowed'));
  });

  it('without nonces, binds a valid proof to its key', async () => {
    const outcome = await checker(false).check(request(aDPoPProof(key)), client);
    expect(outcome).toEqual({ binding: { jkt: expect.any(String) }, nextNonce: undefined });
  });

  it('with nonces, asks for one (use_dpop_nonce + DPoP-Nonce) when missing or stale', async () => {
    const current = await nonces.current();
    for (const nonce of [undefined, 'A'.repeat(43)]) {
      const error = await checker(true)
        .check(request(aDPoPProof(key, { nonce })), client)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UseDPoPNonce);
      expect((error as UseDPoPNonce).headers()).toEqual({ 'dpop-nonce': current });
    }
  });

  it('with nonces, accepts the current one and hands out the next', async () => {
    const nonce = await nonces.current();
    const outcome = await checker(true).check(request(aDPoPProof(key, { nonce })), client);
    expect(outcome?.nextNonce).toBe(nonce);
  });

  it('refuses a replayed proof (same jti, same key)', async () => {
    const check = checker(false);
    const proof = aDPoPProof(key);
    await check.check(request(proof), client);
    await expect(check.check(request(proof), client)).rejects.toThrow(
      new InvalidDPoPProof('the DPoP proof has been used before'),
    );
  });

  it('remembers a proof (by key and jti) for as long as its iat is accepted', async () => {
    const replays = new MemoryReplayCache();
    const firstUse = jest.spyOn(replays, 'firstUse');
    const iat = Math.floor(Date.now() / 1000);
    await checker(false, replays).check(request(aDPoPProof(key, { iat })), client);
    expect(firstUse).toHaveBeenCalledWith(
      expect.stringMatching(/^dpop-proof:[\w-]{43}:[\w-]{43}$/),
      (iat + 60) * 1000,
    );
  });

  it('refuses with 503 when the replay store cannot answer: never fails open', async () => {
    const broken: ReplayCache = { firstUse: () => Promise.reject(new Error('down')) };
    await expect(
      checker(false, broken).check(request(aDPoPProof(key)), client),
    ).rejects.toBeInstanceOf(TemporarilyUnavailable);
  });
});

// The ceiling: how many JWS signatures node:crypto makes per second on one thread, for each of
// the identity's algorithms, with the same calls and options as libs/server/src/keys/jws.ts
// and a JWT-sized signing input. bench/run.mjs starts it pinned to the server core.
// Usage: node bench/sign-rate.mjs [--seconds 2] [--runs 3] [--warmup 0.5] [--quick]
// Prints one JSON object: { RS256: { sign: [ops/s per run], background: [...], repeated: n },
// ..., RS256verify: { verify: [...], ... } }. Unless --quick, it waits for the machine to be
// quiet before each run and repeats a run during which other processes took CPU.
import { constants, generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { machineCpuSeconds } from './lib/processes.mjs';
import { DISTURBED, MAX_REPEATS, processCpuSeconds, waitForQuiet } from './lib/quiet.mjs';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '2' },
    runs: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '0.5' },
    quick: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const runs = Number(values.runs);
const warmup = Number(values.warmup);

const ALGORITHMS = {
  RS256: {
    generate: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
    digest: 'sha256',
    options: { padding: constants.RSA_PKCS1_PADDING },
  },
  ES256: {
    generate: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    digest: 'sha256',
    options: { dsaEncoding: 'ieee-p1363' },
  },
  EdDSA: { generate: () => generateKeyPairSync('ed25519'), digest: null, options: {} },
};

/** What the identity signs: base64url(header).base64url(claims) of a seed-client token. */
function signingInput(alg) {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = { alg, typ: 'at+jwt', kid: 'u0r5b2xNq3yFh1GxvQyq0mJ3b2ZkZ1t5nA0Xc8p9wXs' };
  const claims = {
    iss: 'http://localhost:5001',
    sub: 'client',
    client_id: 'client',
    aud: 'api1',
    scope: 'api1',
    iat: now,
    nbf: now,
    exp: now + 3600,
    jti: randomUUID(),
  };
  return `${encode(header)}.${encode(claims)}`;
}

/** Calls `operation` in a loop for `duration` seconds; returns operations per second. */
function rate(operation, duration) {
  let count = 0;
  const start = performance.now();
  const end = start + duration * 1000;
  let now = start;
  while (now < end) {
    // Check the clock every 16 calls: reading it costs more than an EdDSA signature's 1%.
    for (let i = 0; i < 16; i++) operation();
    count += 16;
    now = performance.now();
  }
  return count / ((now - start) / 1000);
}

/** `runs` counted rates of `operation`, each repeated while others disturbed it. */
async function countedRates(operation) {
  rate(operation, warmup);
  const rates = [];
  const background = [];
  let repeated = 0;
  while (rates.length < runs) {
    if (!values.quick) await waitForQuiet(processCpuSeconds, (message) => log(message));
    const before = machineCpuSeconds();
    const own = processCpuSeconds();
    const start = performance.now();
    const counted = rate(operation, seconds);
    const wall = (performance.now() - start) / 1000;
    const after = machineCpuSeconds();
    const others =
      before && after
        ? Math.max(0, (after.busy - before.busy - (processCpuSeconds() - own)) / wall) +
          (after.steal - before.steal) / wall
        : 0;
    if (!values.quick && others > DISTURBED && repeated < MAX_REPEATS * runs) {
      repeated++;
      log(`a run was disturbed (${others.toFixed(2)} of a core taken by others): repeating`);
      continue;
    }
    rates.push(Math.round(counted));
    background.push(others);
  }
  return { rates, background, repeated };
}

function log(message) {
  process.stderr.write(`    sign-rate: ${message}\n`);
}

const results = {};
for (const [alg, { generate, digest, options }] of Object.entries(ALGORITHMS)) {
  const { privateKey, publicKey } = generate();
  const input = signingInput(alg);
  const signOnce = () => sign(digest, Buffer.from(input), { key: privateKey, ...options });
  const signed = await countedRates(signOnce);
  results[alg] = { sign: signed.rates, background: signed.background, repeated: signed.repeated };
  if (alg === 'RS256') {
    // The resource server's side: one RS256 verification per uncached token.
    const signature = signOnce();
    const verifyOnce = () =>
      verify(digest, Buffer.from(input), { key: publicKey, ...options }, signature);
    const verified = await countedRates(verifyOnce);
    results.RS256verify = {
      verify: verified.rates,
      background: verified.background,
      repeated: verified.repeated,
    };
  }
}
process.stdout.write(`${JSON.stringify(results)}\n`);

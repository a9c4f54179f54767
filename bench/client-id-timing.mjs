#!/usr/bin/env node
// node bench/client-id-timing.mjs [rounds]: whether a failed client authentication takes as long
// for an unknown client id as for a known id with a wrong secret (docs/security.md: ids must
// not be told apart by timing). Starts the built identity (npm run build first), then sends the
// two kinds of request in turn, one at a time, each unknown id fresh (so no cache helps it), and
// prints the median and quartiles of each. A measurement for the note, not a test.
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { identityServer } from './lib/apps.mjs';
import { Server, cleanUpNow } from './lib/processes.mjs';

const rounds = Number(process.argv[2] ?? 2000);

function attempt(url, id, secret) {
  const basic = Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      `${url}/connect/token`,
      {
        method: 'POST',
        agent: keepAlive,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${basic.toString('base64')}`,
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          const ms = performance.now() - started;
          if (response.statusCode !== 401)
            reject(new Error(`expected 401, got ${response.statusCode}`));
          else resolve(ms);
        });
      },
    );
    req.on('error', reject);
    req.end('grant_type=client_credentials');
  });
}

const { Agent } = await import('node:http');
const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const summary = (samples) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return [0.25, 0.5, 0.75].map((q) => quantile(sorted, q).toFixed(3)).join(' / ');
};

const server = await Server.start(identityServer());
try {
  const unknown = [];
  const known = [];
  for (let i = 0; i < 200; i++) {
    await attempt(server.url, `warm-${i}`, 'x');
    await attempt(server.url, 'client', 'wrong');
  }
  for (let i = 0; i < rounds; i++) {
    unknown.push(await attempt(server.url, `nobody-${i}-${Math.random()}`, 'wrong'));
    known.push(await attempt(server.url, 'client', 'wrong'));
  }
  console.log(`${rounds} of each, ms (25th / median / 75th percentile):`);
  console.log(`  unknown client id:          ${summary(unknown)}`);
  console.log(`  known id, wrong secret:     ${summary(known)}`);
} finally {
  await cleanUpNow();
}

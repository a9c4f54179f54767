#!/usr/bin/env node
// `npm run test:packages` (docs/testing.md, "The packages from outside"): packs every package of
// libs/ with `npm pack`, installs the tarballs into a fresh Nest app in a temporary folder outside
// the repository (its own package.json, @nestjs/* from the registry, no path back here), builds
// it with its own TypeScript, and runs its e2e (e2e/app.test.mjs) on the Express and the Fastify
// adapter, for every @nestjs major the packages declare. Then the server package's `bin`, from
// the installed tarball, serves the seed flow and runs a CLI command.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const PACKAGES = ['shared', 'jwt-bearer', 'token-client', 'server'];

/** What a team on each major installs beside the packages (their peers, from the registry). */
const NEST_MAJORS = {
  11: {
    type: 'commonjs',
    dependencies: {
      '@nestjs/common': '^11.1.0',
      '@nestjs/core': '^11.1.0',
      '@nestjs/platform-express': '^11.1.0',
      '@nestjs/platform-fastify': '^11.1.0',
      '@nestjs/passport': '^11.0.0',
      '@nestjs/config': '^4.0.0',
      '@nestjs/event-emitter': '^3.0.0',
      '@nestjs/swagger': '^11.0.0',
      '@nestjs/terminus': '^11.0.0',
      '@nestjs/throttler': '^6.4.0',
      '@nestjs/typeorm': '^11.0.0',
    },
  },
  12: {
    // Nest 12 is ESM-only: the app is an ES module, as a team starting on 12 writes it.
    type: 'module',
    dependencies: {
      '@nestjs/common': '^12.0.0',
      '@nestjs/core': '^12.0.0',
      '@nestjs/platform-express': '^12.0.0',
      '@nestjs/platform-fastify': '^12.0.0',
      '@nestjs/passport': '^12.0.0',
      '@nestjs/config': '^12.0.0',
      '@nestjs/event-emitter': '^12.0.0',
      '@nestjs/swagger': '^12.0.0',
      '@nestjs/terminus': '^12.0.0',
      '@nestjs/throttler': '^6.4.0',
      '@nestjs/typeorm': '^12.0.0',
    },
  },
};
const COMMON_DEPENDENCIES = {
  'class-transformer': '^0.5.1',
  'class-validator': '^0.15.1',
  'reflect-metadata': '^0.2.2',
  rxjs: '^7.8.2',
};
const DEV_DEPENDENCIES = {
  typescript: '~5.9.0',
  '@types/node': '^20.19.0',
  '@types/express': '^5.0.0',
};

const majors = (process.env.PACKAGES_NEST_MAJORS ?? '11,12').split(',');
const adapters = (process.env.PACKAGES_ADAPTERS ?? 'express,fastify').split(',').filter(Boolean);

function run(command, args, options = {}) {
  console.log(`$ ${command} ${args.join(' ')}${options.cwd ? `   (in ${options.cwd})` : ''}`);
  execFileSync(command, args, { stdio: 'inherit', ...options });
}

/** As run(), without blocking this process's event loop (the binary mirror answers meanwhile). */
function runAsync(command, args, options = {}) {
  console.log(`$ ${command} ${args.join(' ')}${options.cwd ? `   (in ${options.cwd})` : ''}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', ...options });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}`)),
    );
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sha256 = (secret) => createHash('sha256').update(secret).digest('base64');

function identityConfig(secrets) {
  return {
    apiScopes: [{ name: 'orders.read' }, { name: 'orders.write' }],
    apiResources: [{ name: 'orders', scopes: ['orders.read', 'orders.write'] }],
    clients: [
      {
        clientId: 'orders-client',
        clientSecrets: [{ value: sha256(secrets.orders) }],
        allowedGrantTypes: ['client_credentials', 'urn:example:grant-type:partner-key'],
        allowedScopes: ['orders.read'],
      },
      {
        clientId: 'other-client',
        clientSecrets: [{ value: sha256(secrets.other) }],
        allowedGrantTypes: ['client_credentials'],
        // A token for `orders` without `orders.read`: the API's 403.
        allowedScopes: ['orders.write'],
      },
    ],
  };
}

/** Packs every package into `into`; returns the tarballs' paths by package. */
function packAll(into) {
  mkdirSync(into, { recursive: true });
  if (!process.env.PACKAGES_NO_BUILD) run('npm', ['run', 'build:packages'], { cwd: repo });
  const tarballs = {};
  for (const name of PACKAGES) {
    const output = execFileSync('npm', ['pack', '--json', '--pack-destination', into], {
      cwd: join(repo, 'libs', name),
      encoding: 'utf8',
    });
    const [{ filename, files }] = JSON.parse(output);
    const leaked = files.filter(({ path }) => /\.(spec|fixture)\.|\.map$|(^|\/)src\//.test(path));
    if (leaked.length > 0)
      throw new Error(`${name}: the tarball holds ${leaked.map((f) => f.path)}`);
    tarballs[name] = join(into, filename);
    // What npm would publish, with no warning but the one a dry run without a login gives.
    const publish = spawnSync('npm', ['publish', '--dry-run'], {
      cwd: join(repo, 'libs', name),
      encoding: 'utf8',
    });
    const warnings = `${publish.stdout}${publish.stderr}`
      .split('\n')
      .filter(
        (line) => /npm (warn|error)/i.test(line) && !/requires you to be logged in/.test(line),
      );
    if (publish.status !== 0 || warnings.length > 0) {
      throw new Error(`${name}: npm publish --dry-run is not clean:\n${warnings.join('\n')}`);
    }
  }
  return tarballs;
}

/**
 * better-sqlite3 is a native addon whose prebuilt binaries come from GitHub, out of this
 * machine's reach, so each fresh install would compile SQLite for minutes. The fresh apps get the
 * binary the repository's own `npm ci` built instead, from a local mirror of the download host
 * (prebuild-install's `npm_config_better_sqlite3_binary_host`, as a company mirror would serve
 * it), pinned to the same version; any other request is a 404 and falls back to compiling.
 */
async function startSqliteBinaryMirror(work) {
  const addon = join(repo, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(readFileSync(join(addon, 'package.json'), 'utf8'));
  const archive = join(work, 'better-sqlite3.tar.gz');
  execFileSync('tar', ['-czf', archive, '-C', addon, 'build/Release/better_sqlite3.node']);
  const expected = `/v${version}/better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const server = createHttpServer((request, response) => {
    if (request.url !== expected) return response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/gzip' }).end(readFileSync(archive));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    version,
    host: `http://127.0.0.1:${server.address().port}`,
    close: () => server.close(),
  };
}

/** A fresh app in its own folder: the template, a package.json of its own, npm install, tsc. */
async function createApp(major, tarballs, sqliteMirror) {
  const folder = mkdtempSync(join(tmpdir(), `nest-identity-app-nest${major}-`));
  cpSync(join(here, 'app'), folder, { recursive: true });
  const { type, dependencies } = NEST_MAJORS[major];
  const packageJson = {
    name: `fresh-nest${major}-app`,
    private: true,
    type,
    dependencies: {
      ...dependencies,
      ...COMMON_DEPENDENCIES,
      ...Object.fromEntries(
        PACKAGES.map((name) => [`@nest-identity/${name}`, `file:${tarballs[name]}`]),
      ),
    },
    devDependencies: DEV_DEPENDENCIES,
    overrides: { 'better-sqlite3': sqliteMirror.version },
  };
  writeFileSync(join(folder, 'package.json'), JSON.stringify(packageJson, null, 2));
  await runAsync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: folder,
    env: { ...process.env, npm_config_better_sqlite3_binary_host: sqliteMirror.host },
  });
  run(join(folder, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: folder });
  return folder;
}

async function runAppE2e(folder, adapter) {
  const [authorityPort, apiPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(folder, 'data-'));
  const secrets = {
    orders: 'orders-secret-' + Math.random(),
    other: 'other-secret-' + Math.random(),
  };
  const configFile = join(dataDir, 'identity.json');
  writeFileSync(configFile, JSON.stringify(identityConfig(secrets)));
  run(process.execPath, ['--test', '--test-reporter=spec', 'e2e/'], {
    cwd: folder,
    env: {
      ...process.env,
      ADAPTER: adapter,
      AUTHORITY_PORT: String(authorityPort),
      API_PORT: String(apiPort),
      AUTHORITY_URL: `http://127.0.0.1:${authorityPort}`,
      API_URL: `http://127.0.0.1:${apiPort}`,
      IDENTITY_CONFIG: configFile,
      IDENTITY_DATA_DIR: dataDir,
      ORDERS_CLIENT_SECRET: secrets.orders,
      OTHER_CLIENT_SECRET: secrets.other,
      PARTNER_KEY: 'partner-' + Math.random(),
      NODE_ENV: 'test',
    },
  });
}

/** `nest-identity serve` from the installed tarball: the seed flow, then a CLI command. */
async function runBin(folder) {
  const bin = join(folder, 'node_modules', '.bin', 'nest-identity');
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(folder, 'bin-data-'));
  const env = { ...process.env, IDENTITY_DATA_DIR: dataDir, NODE_ENV: 'development' };
  const seedConfig = join(repo, 'config', 'identity.json');
  const config = join(dataDir, 'identity.json');
  cpSync(seedConfig, config);
  console.log(`$ nest-identity serve --config ${config} --port ${port} --issuer ${issuer}`);
  const server = spawn(
    bin,
    ['serve', '--config', config, '--port', String(port), '--issuer', issuer],
    {
      cwd: folder,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  server.stdout.on('data', (chunk) => (output += chunk));
  server.stderr.on('data', (chunk) => (output += chunk));
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`serve exited:\n${output}`);
      if (Date.now() > deadline) throw new Error(`serve did not answer:\n${output}`);
      const health = await fetch(`${issuer}/health`).catch(() => undefined);
      if (health?.ok) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // The seed flow: the seed client's token, by client_secret_basic, checked against the JWKS.
    const response = await fetch(`${issuer}/connect/token`, {
      method: 'POST',
      headers: {
        authorization: 'Basic ' + Buffer.from('client:secret').toString('base64'),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials&scope=api1',
    });
    const body = await response.json();
    if (response.status !== 200)
      throw new Error(`seed token: ${response.status} ${JSON.stringify(body)}`);
    const [header, payload, signature] = body.access_token.split('.');
    const { kid, alg, typ } = JSON.parse(Buffer.from(header, 'base64url').toString());
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const jwks = await (await fetch(`${issuer}/.well-known/openid-configuration/jwks`)).json();
    const jwk = jwks.keys.find((key) => key.kid === kid);
    const signed = Buffer.from(`${header}.${payload}`);
    const valid =
      alg === 'RS256' &&
      verify(
        'sha256',
        signed,
        createPublicKey({ key: jwk, format: 'jwk' }),
        Buffer.from(signature, 'base64url'),
      );
    if (
      !valid ||
      typ !== 'at+jwt' ||
      claims.iss !== issuer ||
      claims.aud !== 'api1' ||
      claims.client_id !== 'client'
    ) {
      throw new Error(`seed token not as expected: ${JSON.stringify({ alg, typ, claims, valid })}`);
    }
    console.log('bin: the seed flow works (token verified against the JWKS)');
  } finally {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill();
      await exited;
    }
  }
  // A client command of the CLI, on the same data directory, then a usage error.
  const listed = execFileSync(bin, ['clients', 'list', '--json'], {
    cwd: folder,
    env: { ...env, IDENTITY_CONFIG: config },
    encoding: 'utf8',
  });
  if (!listed.includes('[')) throw new Error(`clients list printed: ${listed}`);
  try {
    execFileSync(bin, ['serve', '--no-such-option'], { cwd: folder, env, stdio: 'pipe' });
    throw new Error('serve accepted an unknown option');
  } catch (error) {
    if (error.status !== 2 || !String(error.stderr).includes('--no-such-option')) throw error;
  }
  console.log('bin: clients list and the usage error work');
}

const work = mkdtempSync(join(tmpdir(), 'nest-identity-packages-'));
try {
  const tarballs = packAll(join(work, 'tarballs'));
  const sqliteMirror = await startSqliteBinaryMirror(work);
  for (const major of majors) {
    // PACKAGES_REUSE_<major>=folder: a kept app (PACKAGES_KEEP), rebuilt but not reinstalled.
    const reused = process.env[`PACKAGES_REUSE_${major}`];
    if (reused)
      run(join(reused, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: reused });
    const folder = reused ?? (await createApp(major, tarballs, sqliteMirror));
    try {
      for (const adapter of adapters) {
        console.log(`\n== Nest ${major}, ${adapter}`);
        await runAppE2e(folder, adapter);
      }
      if (major === majors.at(-1)) await runBin(folder);
    } finally {
      if (!process.env.PACKAGES_KEEP && !reused) rmSync(folder, { recursive: true, force: true });
      else console.log(`kept ${folder}`);
    }
  }
  sqliteMirror.close();
  console.log('\npackages: every check passed');
} finally {
  rmSync(work, { recursive: true, force: true });
}

import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REQUEST_BODY_LIMIT, registerBodyParsers } from './http/form-body';
import { IdentityServerModule, type IdentityServerExtensions } from './identity-server.module';
import { IdentityModule } from './identity.module';

/** The whole IdentityModule in-process, for unit specs that drive it with Fastify's `inject`. */
export interface InProcessIdentity {
  readonly app: NestFastifyApplication;
  close(): Promise<void>;
}

/** A fresh embedded store with `config` as its configuration file, and the settings naming it. */
export interface FreshIdentityStore {
  readonly environment: {
    ISSUER: string;
    IDENTITY_CONFIG: string;
    IDENTITY_DATA_DIR: string;
    RATE_LIMIT: 'off';
  };
  remove(): void;
}

/** A temporary data directory holding `config` as the configuration file; throttles off. */
export function freshIdentityStore(config: unknown, issuer: string): FreshIdentityStore {
  const dataDir = mkdtempSync(join(tmpdir(), 'identity-in-process-'));
  const configFile = join(dataDir, 'identity.json');
  writeFileSync(configFile, JSON.stringify(config));
  return {
    environment: {
      ISSUER: issuer,
      IDENTITY_CONFIG: configFile,
      IDENTITY_DATA_DIR: dataDir,
      RATE_LIMIT: 'off',
    },
    remove: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/**
 * Builds the identity on a fresh embedded store with `config` as its configuration file, as
 * main.ts would (its body parsers, throttles off), and removes the store again on close. With
 * `extensions`, the authority is instead mounted as a host app would mount it,
 * `IdentityServerModule.forRoot({ environment, ...extensions })` (docs/extending.md).
 */
export async function startInProcessIdentity(
  config: unknown,
  issuer: string,
  extensions?: IdentityServerExtensions,
): Promise<InProcessIdentity> {
  const store = freshIdentityStore(config, issuer);
  const { environment } = store;
  const root =
    extensions === undefined
      ? IdentityModule
      : IdentityServerModule.forRoot({ environment, ...extensions });
  if (extensions === undefined) {
    Object.assign(process.env, environment);
    delete process.env.DATABASE_URL;
  }
  let app: NestFastifyApplication | undefined;
  try {
    const moduleRef = await Test.createTestingModule({ imports: [root] }).compile();
    const adapter = new FastifyAdapter({ bodyLimit: REQUEST_BODY_LIMIT });
    registerBodyParsers(adapter.getInstance());
    app = moduleRef.createNestApplication<NestFastifyApplication>(adapter, { bodyParser: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  } catch (error) {
    // A start-up that fails (a spec may expect it to) leaves nothing behind.
    await app?.close().catch(() => undefined);
    store.remove();
    throw error;
  }
  const started = app;
  return {
    app: started,
    close: async () => {
      await started.close();
      store.remove();
    },
  };
}

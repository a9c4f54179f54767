import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REQUEST_BODY_LIMIT, registerBodyParsers } from './http/form-body';
import { IdentityModule } from './identity.module';

/** The whole IdentityModule in-process, for unit specs that drive it with Fastify's `inject`. */
export interface InProcessIdentity {
  readonly app: NestFastifyApplication;
  close(): Promise<void>;
}

/**
 * Builds the identity on a fresh embedded store with `config` as its configuration file, as
 * main.ts would (its body parsers, throttles off), and removes the store again on close.
 */
export async function startInProcessIdentity(
  config: unknown,
  issuer: string,
): Promise<InProcessIdentity> {
  const dataDir = mkdtempSync(join(tmpdir(), 'identity-in-process-'));
  const configFile = join(dataDir, 'identity.json');
  writeFileSync(configFile, JSON.stringify(config));
  Object.assign(process.env, {
    ISSUER: issuer,
    IDENTITY_CONFIG: configFile,
    IDENTITY_DATA_DIR: dataDir,
    RATE_LIMIT: 'off',
  });
  delete process.env.DATABASE_URL;
  const moduleRef = await Test.createTestingModule({ imports: [IdentityModule] }).compile();
  const adapter = new FastifyAdapter({ bodyLimit: REQUEST_BODY_LIMIT });
  registerBodyParsers(adapter.getInstance());
  const app = moduleRef.createNestApplication<NestFastifyApplication>(adapter, {
    bodyParser: false,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

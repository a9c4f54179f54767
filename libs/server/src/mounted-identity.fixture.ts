import { Module, type INestApplication, type ModuleMetadata } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { freshIdentityStore } from './identity-app.fixture';
import { IdentityServerModule } from './identity-server.module';

/** The HTTP adapters a host app may run the mounted authority on. */
export type HostAdapter = 'express' | 'fastify';

/** The authority mounted in a host app of its own, listening on a free local port. */
export interface MountedIdentity {
  /** Where it listens: `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly app: INestApplication;
  close(): Promise<void>;
}

/**
 * A host app that mounts IdentityServerModule as a user's app does (docs/extending.md): its
 * settings as module options, on Express or on Fastify, each with Nest's default body parsers
 * (none of the identity's own), on a fresh embedded store with `config` as its configuration
 * file, throttles off. Real HTTP, so each adapter's own request handling is what is tested.
 */
export async function mountIdentity(
  adapter: HostAdapter,
  config: unknown,
  issuer: string,
  /** The host app's own modules beside the authority (its own database, say). */
  hostImports: NonNullable<ModuleMetadata['imports']> = [],
): Promise<MountedIdentity> {
  const store = freshIdentityStore(config, issuer);

  @Module({
    imports: [IdentityServerModule.forRoot({ environment: store.environment }), ...hostImports],
  })
  class HostAppModule {}

  const moduleRef = await Test.createTestingModule({ imports: [HostAppModule] }).compile();
  const app: INestApplication = moduleRef.createNestApplication(
    adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
    { logger: false },
  );
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as { address(): AddressInfo }).address();
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    close: async () => {
      await app.close();
      store.remove();
    },
  };
}

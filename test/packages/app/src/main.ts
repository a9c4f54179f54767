import 'reflect-metadata';
import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ApiModule } from './api.module.js';
import { AuthorityModule } from './authority.module.js';

/** Each app on the adapter ADAPTER names, with Nest's own defaults (its body parsers too). */
function create(module: Type): Promise<INestApplication> {
  const adapter = process.env.ADAPTER === 'fastify' ? new FastifyAdapter() : new ExpressAdapter();
  return NestFactory.create(module, adapter, { logger: ['error', 'warn'] });
}

async function main(): Promise<void> {
  const authority = await create(AuthorityModule);
  await authority.listen(Number(process.env.AUTHORITY_PORT), '127.0.0.1');
  const api = await create(ApiModule);
  await api.listen(Number(process.env.API_PORT), '127.0.0.1');
  console.log('ready');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

// The reference for the token endpoint's framework cost: a bare Nest 11 + Fastify app with one
// POST route that takes a form body (Nest's default form parser) and answers a small JSON
// object, with no authentication, no database and no signature. Used by bench/run.mjs only.
// Env: PORT (required). Plain JavaScript, so the decorators are applied by hand.
import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';

class FormController {
  token(body) {
    return { token_type: 'Bearer', expires_in: 3600, scope: body.scope };
  }
}
Controller()(FormController);
const token = Object.getOwnPropertyDescriptor(FormController.prototype, 'token');
Post('connect/token')(FormController.prototype, 'token', token);
HttpCode(200)(FormController.prototype, 'token', token);
Body()(FormController.prototype, 'token', 0);

class BareModule {}
Module({ controllers: [FormController] })(BareModule);

const app = await NestFactory.create(BareModule, new FastifyAdapter(), { logger: ['error'] });
app.enableShutdownHooks();
await app.listen(Number(process.env.PORT), '0.0.0.0');
console.log(`bare Nest + Fastify listening on ${await app.getUrl()}`);

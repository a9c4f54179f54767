// The floor under the framework: Fastify alone (no Nest), one POST route that takes a form body
// and answers the same small JSON object as bench/bare-fastify-nest.mjs. Used by bench/run.mjs
// only, to show what Nest's request pipeline adds. Env: PORT (required).
import { URLSearchParams } from 'node:url';
import Fastify from 'fastify';

const app = Fastify();
app.addContentTypeParser(
  'application/x-www-form-urlencoded',
  { parseAs: 'string' },
  (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body))),
);
app.post('/connect/token', async (request) => ({
  token_type: 'Bearer',
  expires_in: 3600,
  scope: request.body.scope,
}));
await app.listen({ port: Number(process.env.PORT), host: '0.0.0.0' });
console.log(`bare Fastify listening on ${process.env.PORT}`);
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => app.close().then(() => process.exit(0)));
}

// Bench only: preloaded into the built weather-api (`node --import ./bench/no-guards.mjs
// dist/apps/weather-api/main.js`) to measure the same app with its guards switched off. Every
// route then gets no guard at all, exactly as Nest maps a route that has none; the rest of the
// app (modules, discovery, controllers, filters) is unchanged. Never use it outside the bench.
import { GuardsContextCreator } from '@nestjs/core/guards/guards-context-creator.js';

GuardsContextCreator.prototype.create = function create() {
  return [];
};
process.stderr.write(
  '\n*** bench/no-guards.mjs: EVERY GUARD IS OFF, NO ROUTE CHECKS ANY TOKEN (benchmark only) ***\n\n',
);

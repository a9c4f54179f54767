// @nest-identity/server/standalone: the authority as a server of its own, as the package's `bin`
// and `npm run start:identity` run it (docs/getting-started.md), and its command line.
export { IdentityModule } from './identity.module';
export { HealthModule as IdentityHealthModule } from './health/health.module';
export { serveIdentity } from './serve';
export { runCli } from './cli/run-cli';

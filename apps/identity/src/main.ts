import { serveIdentity } from '@nest-identity/server/standalone';

// `npm run start:identity`: the authority package's standalone server, configured by the
// environment (docs/reference.md).
serveIdentity();

// @ts-check
// `nest build` bundles each app with Nest's default webpack configuration, which leaves every
// package of node_modules outside the bundle. The workspace packages (@nest-identity/*, linked
// into node_modules by npm workspaces) are this repository's own source: bundle them from libs/
// (through tsconfig.json's paths) so an app's build never depends on a build of the packages.
const nodeExternals = require('webpack-node-externals');

module.exports = (/** @type {import('webpack').Configuration} */ options) => ({
  ...options,
  externals: [nodeExternals({ allowlist: [/^@nest-identity\//] })],
});

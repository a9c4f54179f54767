// The only entry of @nest-identity/token-client: an OAuth 2.0 client credentials token client for Nest
// services that call protected APIs. Tokens are cached until shortly before expiry and renewed
// by one request however many callers wait.
export { TokenClientModule } from './token-client.module';
export type { TokenClientOptions } from './token-client.options';
export { AccessTokenProvider } from './access-token-provider';
export { AuthorizedFetch } from './authorized-fetch';
export {
  TokenClientError,
  TokenEndpointError,
  TokenEndpointUnavailable,
} from './token-client.errors';

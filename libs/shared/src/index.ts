// The only entry of @app/shared: what both apps may use.
export * from './oauth/oauth-error';
export * from './oauth/oauth-error.filter';
export * from './oauth/oauth.constants';
export * from './scopes/scopes';
export * from './config/validate-config';
export * from './config/identity-environment';
export * from './config/weather-api-environment';
export * from './config/identity-config-file';
export * from './config/is-http-url';
export * from './config/duration';
export * from './config/rate';
export * from './config/server-environment';
export * from './jose/base64url-json';
export * from './http/http-server';
export * from './http/graceful-shutdown';
export * from './logging/http-logging';
export * from './http/health-endpoints';

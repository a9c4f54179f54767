// The second entry, @nest-identity/shared/hosting: what an app of this project sets up around its
// routes (HTTP server, graceful shutdown, the JSON access log, health routes, GET /metrics,
// Swagger UI). Kept out of the main entry so that a library user needs none of its dependencies.
export * from './http/http-server';
export * from './http/graceful-shutdown';
export * from './logging/http-logging';
export * from './http/health-endpoints';
export * from './metrics/metrics.module';
export * from './metrics/metric-registry';
export * from './metrics/http-request-duration';
export * from './openapi/api-docs';
export * from './openapi/oauth-error-schema';
export * from './tracing/start-tracing';
export * from './tracing/tracing-environment';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  SwaggerModule,
  type OpenAPIObject,
  type ReferenceObject,
  type SecuritySchemeObject,
} from '@nestjs/swagger';

/** Where both apps serve Swagger UI and the OpenAPI document, without a token. */
export const ApiDocsPaths = { ui: '/docs', document: '/docs-json' } as const;

export interface ApiDocsOptions {
  /** Everything but the paths (title, security schemes…); the paths come from the decorators. */
  config: Omit<OpenAPIObject, 'paths'>;
  /**
   * The token endpoint that Swagger UI's Authorize calls, asked at each request since it may be
   * discovered at run time: it goes into every OAuth2 client-credentials flow of the document,
   * and the UI page's CSP lets the browser call its origin.
   */
  tokenUrl: () => Promise<string>;
}

/**
 * Serves Swagger UI at /docs and the document at /docs-json. Both are plain Fastify routes, so
 * no Nest guard asks them for a token. The document is built from the decorators at the first
 * request, once every module has started.
 */
export function serveApiDocs(app: NestFastifyApplication, options: ApiDocsOptions): void {
  SwaggerModule.setup(
    ApiDocsPaths.ui,
    app,
    () => SwaggerModule.createDocument(app, options.config),
    {
      jsonDocumentUrl: ApiDocsPaths.document,
      raw: ['json'],
      patchDocumentOnRequest: async (_request, _reply, document) =>
        withTokenUrl(document, await options.tokenUrl()),
    },
  );
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (request, reply, payload) => {
      if (isUiPath(request.url)) {
        void reply.header(
          'content-security-policy',
          swaggerUiContentSecurityPolicy(new URL(await options.tokenUrl()).origin),
        );
      }
      return payload;
    });
}

function isUiPath(url: string): boolean {
  const path = url.split('?')[0];
  return path === ApiDocsPaths.ui || path.startsWith(`${ApiDocsPaths.ui}/`);
}

/**
 * The CSP of Swagger UI's pages alone (every other route keeps `default-src 'none'`): its scripts,
 * styles and images from this origin, the inline styles and data: images it renders, and calls to
 * this origin (Try it out) and the token endpoint's (Authorize).
 */
export function swaggerUiContentSecurityPolicy(tokenOrigin: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self' ${tokenOrigin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join(';');
}

/** A copy of the document whose OAuth2 client-credentials flows point at `tokenUrl`. */
export function withTokenUrl(document: OpenAPIObject, tokenUrl: string): OpenAPIObject {
  const schemes = document.components?.securitySchemes ?? {};
  const patched = Object.fromEntries(
    Object.entries(schemes).map(([name, scheme]) => [name, withFlowTokenUrl(scheme, tokenUrl)]),
  );
  return { ...document, components: { ...document.components, securitySchemes: patched } };
}

function withFlowTokenUrl(
  scheme: SecuritySchemeObject | ReferenceObject,
  tokenUrl: string,
): SecuritySchemeObject | ReferenceObject {
  if ('$ref' in scheme || scheme.type !== 'oauth2' || !scheme.flows?.clientCredentials) {
    return scheme;
  }
  const clientCredentials = { ...scheme.flows.clientCredentials, tokenUrl };
  return { ...scheme, flows: { ...scheme.flows, clientCredentials } };
}

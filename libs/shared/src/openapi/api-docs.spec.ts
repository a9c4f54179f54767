import type { OpenAPIObject } from '@nestjs/swagger';
import { swaggerUiContentSecurityPolicy, withTokenUrl } from './api-docs';

describe('withTokenUrl', () => {
  const document: OpenAPIObject = {
    openapi: '3.0.0',
    info: { title: 'api', version: '1' },
    paths: {},
    components: {
      securitySchemes: {
        oauth2: {
          type: 'oauth2',
          flows: {
            clientCredentials: { tokenUrl: 'http://placeholder/token', scopes: { api1: '' } },
          },
        },
        basic: { type: 'http', scheme: 'basic' },
      },
    },
  };

  it('points every client-credentials flow at the token URL, and leaves other schemes alone', () => {
    const patched = withTokenUrl(document, 'http://identity:5001/connect/token');
    expect(patched.components?.securitySchemes).toEqual({
      oauth2: {
        type: 'oauth2',
        flows: {
          clientCredentials: {
            tokenUrl: 'http://identity:5001/connect/token',
            scopes: { api1: '' },
          },
        },
      },
      basic: { type: 'http', scheme: 'basic' },
    });
  });

  it('leaves the built document as it was, so each request patches the original', () => {
    withTokenUrl(document, 'http://identity:5001/connect/token');
    expect(document.components?.securitySchemes?.oauth2).toMatchObject({
      flows: { clientCredentials: { tokenUrl: 'http://placeholder/token' } },
    });
  });
});

describe('swaggerUiContentSecurityPolicy', () => {
  it("allows this origin's scripts only, and calls to this origin and the token endpoint's", () => {
    expect(swaggerUiContentSecurityPolicy('http://localhost:5001')).toBe(
      "default-src 'none';script-src 'self';style-src 'self' 'unsafe-inline';img-src 'self' data:;" +
        "connect-src 'self' http://localhost:5001;base-uri 'none';form-action 'none';frame-ancestors 'none'",
    );
  });
});

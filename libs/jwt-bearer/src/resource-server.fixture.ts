import type { Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test, type TestingModule } from '@nestjs/testing';
import { OAuthErrorFilter } from '@nest-identity/shared';
import { JwtBearerModule } from './jwt-bearer.module';

type JwtBearerModuleOptions = Parameters<typeof JwtBearerModule.forRoot>[0];

/**
 * A resource server as an app sets one up (docs/protect-your-api.md): JwtBearerModule for
 * audience `api1` over plain http (a test authority), `controllers`, and OAuthErrorFilter to
 * render the 401 and 403. Each spec then creates the app on the adapter it tests.
 */
export function compileResourceServer(
  controllers: Type[],
  options: Partial<JwtBearerModuleOptions> & { authority: string },
): Promise<TestingModule> {
  return Test.createTestingModule({
    imports: [
      JwtBearerModule.forRoot({ audience: 'api1', requireHttpsMetadata: false, ...options }),
    ],
    controllers,
    providers: [{ provide: APP_FILTER, useClass: OAuthErrorFilter }],
  }).compile();
}

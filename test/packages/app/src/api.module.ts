import { Controller, Get, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import {
  JwtBearerModule,
  Public,
  RequireScopes,
  TokenClaims,
  type AccessTokenClaims,
} from '@nest-identity/jwt-bearer';
import { OAuthErrorFilter } from '@nest-identity/shared';
import { AuthorizedFetch, TokenClientModule } from '@nest-identity/token-client';

@Controller()
export class OrdersController {
  constructor(private readonly authorizedFetch: AuthorizedFetch) {}

  /** Protected by the resource-server package: a token for `orders` with `orders.read`. */
  @Get('orders')
  @RequireScopes('orders.read')
  list(@TokenClaims() claims: AccessTokenClaims) {
    return { caller: claims.client_id, tenant: claims['tenant'], orders: [{ id: 1 }] };
  }

  /** A service calling the protected route through the token-client package. */
  @Get('relay')
  @Public()
  async relay() {
    const response = await this.authorizedFetch.fetch(`${process.env.API_URL}/orders`);
    return { status: response.status, body: await response.json() };
  }

  @Get('health')
  @Public()
  health() {
    return { status: 'ok' };
  }
}

@Module({
  imports: [
    JwtBearerModule.forRoot({
      authority: process.env.AUTHORITY_URL!,
      audience: 'orders',
      requireHttpsMetadata: false,
    }),
    TokenClientModule.forRoot({
      authority: process.env.AUTHORITY_URL!,
      clientId: 'orders-client',
      clientSecret: process.env.ORDERS_CLIENT_SECRET!,
      scope: 'orders.read',
      // The test's authority is http://127.0.0.1: no TLS on a loopback test rig.
      requireHttps: false,
    }),
  ],
  controllers: [OrdersController],
  providers: [{ provide: APP_FILTER, useClass: OAuthErrorFilter }],
})
export class ApiModule {}

import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { GrantType, type GrantHandler } from './grant-handler';

/** Every `@GrantType()` provider of the application, by grant type. */
@Injectable()
export class GrantHandlerRegistry implements OnModuleInit {
  private readonly handlers = new Map<string, GrantHandler>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders({ metadataKey: GrantType.KEY })) {
      const grantType = this.discovery.getMetadataByDecorator(GrantType, wrapper);
      if (!grantType) continue;
      if (this.handlers.has(grantType)) {
        throw new Error(`two providers handle the grant type ${grantType}`);
      }
      this.handlers.set(grantType, wrapper.instance as GrantHandler);
    }
  }

  get(grantType: string): GrantHandler | undefined {
    return this.handlers.get(grantType);
  }

  grantTypes(): string[] {
    return [...this.handlers.keys()];
  }
}

import { Injectable } from '@nestjs/common';
import { GrantTypes } from '@nest-identity/shared';

/**
 * The grant types a managed client may be allowed. Abstract class, so it is also the DI token:
 * the identity binds it to the token endpoint's GrantHandlerRegistry (every `@GrantType()` the
 * application has); the CLI, which has no token endpoint, to the grant types this project ships.
 */
export abstract class GrantTypeCatalog {
  abstract grantTypes(): readonly string[];
}

@Injectable()
export class KnownGrantTypes extends GrantTypeCatalog {
  grantTypes(): readonly string[] {
    return Object.values(GrantTypes);
  }
}

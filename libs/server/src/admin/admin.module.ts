import { Module } from '@nestjs/common';
import { ClientManagementModule } from '../clients/management/client-management.module';
import { IntrospectionModule } from '../introspection/introspection.module';
import { GrantHandlerRegistry } from '../token/grant-handler.registry';
import { TokenModule } from '../token/token.module';
import { AdminClientsController } from './admin-clients.controller';
import { AdminKeysController } from './admin-keys.controller';
import { AdminTokenGuard } from './admin-token.guard';

/**
 * The admin API (`/admin/clients...`, `/admin/keys...`), protected by the identity's own tokens with `identity.admin`.
 * A managed client may be allowed exactly the grant types the token endpoint handles.
 */
@Module({
  imports: [
    IntrospectionModule,
    TokenModule,
    ClientManagementModule.forRoot({ imports: [TokenModule], grantTypes: GrantHandlerRegistry }),
  ],
  controllers: [AdminClientsController, AdminKeysController],
  providers: [AdminTokenGuard],
})
export class AdminModule {}

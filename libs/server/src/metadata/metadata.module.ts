import { Module } from '@nestjs/common';
import { TokenModule } from '../token/token.module';
import { MetadataController } from './metadata.controller';

/** Discovery: the authorization server metadata document. */
@Module({
  imports: [TokenModule],
  controllers: [MetadataController],
})
export class MetadataModule {}

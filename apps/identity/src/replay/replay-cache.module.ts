import { Global, Module } from '@nestjs/common';
import { MemoryReplayCache } from './memory.replay-cache';
import { ReplayCache } from './replay-cache';

/** The one ReplayCache of the identity, for every check that needs one. */
@Global()
@Module({
  providers: [{ provide: ReplayCache, useFactory: (): ReplayCache => new MemoryReplayCache() }],
  exports: [ReplayCache],
})
export class ReplayCacheModule {}

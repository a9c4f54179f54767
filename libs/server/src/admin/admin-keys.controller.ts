import { Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { noStore, type HeaderWriter } from '@nest-identity/shared';
import { SigningKeyManager, type SigningKeyInfo } from '../keys/signing-key-manager';
import { SigningKeyStore } from '../keys/signing-key-store';
import { KeyRevocationSchema, SigningKeyListSchema } from './key.schemas';
import { ApiProblems } from './problem.schema';
import { AdminAccessProblems, AdminController } from './admin-controller.decorator';
import type { AdminRequest } from './admin-token.guard';

export const ADMIN_KEYS_PATH = '/admin/keys';

/**
 * The admin API for signing keys: their schedule (never key material), and the emergency
 * revocation of a key (SigningKeyManager.revokeKey), an audit event naming the admin token's
 * client. Every answer is `Cache-Control: no-store`.
 */
@AdminController(ADMIN_KEYS_PATH)
export class AdminKeysController {
  constructor(
    private readonly manager: SigningKeyManager,
    private readonly store: SigningKeyStore,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The signing keys and their schedule, by generation (no key material)' })
  @ApiOkResponse({ type: SigningKeyListSchema })
  @ApiProblems(AdminAccessProblems)
  async list(@Res({ passthrough: true }) reply: HeaderWriter): Promise<{ keys: SigningKeyInfo[] }> {
    noStore(reply);
    return { keys: await this.manager.listKeys() };
  }

  /**
   * The key leaves the JWKS at once and its tokens are refused here; if it was signing, a new key
   * signs from now. Answers once this replica's keys are reloaded, with what the JWKS publishes.
   */
  @Post(':kid/revoke')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Revoke a signing key now (emergency): it leaves the JWKS; a new key signs if it was signing',
  })
  @ApiOkResponse({ type: KeyRevocationSchema })
  @ApiProblems({ ...AdminAccessProblems, 404: 'no such signing key (or revoked already)' })
  async revoke(
    @Param('kid') kid: string,
    @Req() request: AdminRequest,
    @Res({ passthrough: true }) reply: HeaderWriter,
  ) {
    const revocation = await this.manager.revokeKey(kid, request.adminClientId);
    const published = (await this.store.getPublishedKeys()).map((key) => key.kid);
    noStore(reply);
    return { ...revocation, published };
  }
}

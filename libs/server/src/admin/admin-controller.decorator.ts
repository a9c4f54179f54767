import { Controller, UseFilters, UseGuards, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiOAuth2, ApiTags } from '@nestjs/swagger';
import { Scopes } from '@nest-identity/shared';
import { IdentitySecurity } from '../openapi/identity.openapi';
import { AdminTokenGuard } from './admin-token.guard';
import { ProblemDetailsFilter } from './problem-details.filter';

/** What every admin operation may answer before it runs. */
export const AdminAccessProblems = {
  401: 'no token, or an invalid one (`WWW-Authenticate: Bearer`)',
  403: `a token without the scope ${Scopes.IdentityAdmin}`,
  503: 'the database is out of reach (`Retry-After`)',
};

/**
 * An admin API controller at `path`: behind AdminTokenGuard (our own token with
 * `identity.admin`), its errors as RFC 9457 problem documents, and documented as such.
 */
export function AdminController(path: string): ClassDecorator {
  // Applied in this order, as stacked decorators apply from the bottom up: the document lists
  // the OAuth 2 scheme first.
  return applyDecorators(
    ApiOAuth2([Scopes.IdentityAdmin], IdentitySecurity.AdminOAuth2),
    ApiBearerAuth(IdentitySecurity.AdminBearer),
    ApiTags('Admin'),
    UseFilters(ProblemDetailsFilter),
    UseGuards(AdminTokenGuard),
    Controller(path),
  );
}

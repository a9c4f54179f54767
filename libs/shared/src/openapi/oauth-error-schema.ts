import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { OAuthError, OAuthErrorBody, OAuthErrorCode } from '../oauth/oauth-error';

/** A record rather than a list, so the compiler notices a code added to OAuthErrorCode. */
const EveryOAuthErrorCode: Record<OAuthErrorCode, true> = {
  invalid_request: true,
  invalid_client: true,
  invalid_grant: true,
  unauthorized_client: true,
  unsupported_grant_type: true,
  invalid_scope: true,
  temporarily_unavailable: true,
  invalid_token: true,
  insufficient_scope: true,
  invalid_target: true,
  unsupported_token_type: true,
  invalid_dpop_proof: true,
  use_dpop_nonce: true,
};

/** The body OAuthErrorFilter writes (RFC 6749 §5.2, RFC 6750 §3.1), for the OpenAPI documents. */
export class OAuthErrorSchema implements OAuthErrorBody {
  @ApiProperty({ enum: Object.keys(EveryOAuthErrorCode), description: 'The RFC error code.' })
  error!: OAuthErrorCode;

  @ApiPropertyOptional({ description: 'What went wrong, for a developer; never a secret.' })
  error_description?: string;
}

/**
 * Documents the OAuth errors an operation answers, from the very error objects the code throws:
 * one response per status, listing its codes, with each error's wire body as an example.
 */
export function ApiOAuthErrors(
  ...errors: readonly { error: OAuthError; when: string }[]
): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, { error: OAuthError; when: string }[]>();
  for (const entry of errors) {
    byStatus.set(entry.error.status, [...(byStatus.get(entry.error.status) ?? []), entry]);
  }
  return applyDecorators(
    ApiExtraModels(OAuthErrorSchema),
    ...[...byStatus].map(([status, entries]) =>
      ApiResponse({
        status,
        description: entries
          .map(({ error, when }) =>
            error.body() === undefined ? when : `\`${error.error}\`: ${when}`,
          )
          .join('; '),
        content: {
          'application/json': {
            schema: { $ref: getSchemaPath(OAuthErrorSchema) },
            examples: Object.fromEntries(
              entries.flatMap(({ error, when }) => {
                const body = error.body();
                return body === undefined ? [] : [[when, { summary: when, value: body }]];
              }),
            ),
          },
        },
      }),
    ),
  );
}

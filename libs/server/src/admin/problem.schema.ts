import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { ValidationIssue } from '@nest-identity/shared';
import { PROBLEM_JSON, type ProblemDocument } from './problem';

class ValidationIssueSchema implements ValidationIssue {
  @ApiProperty({ example: 'claims[1].type', description: 'Where in the request body.' })
  path!: string;

  @ApiProperty({ example: 'must be a string' })
  message!: string;
}

/** RFC 9457 problem details, as the admin API answers every error. */
export class ProblemSchema implements ProblemDocument {
  @ApiProperty({ example: 'urn:nest-identity:problem:client-not-found' })
  type!: string;

  @ApiProperty({ example: 'The client does not exist' })
  title!: string;

  @ApiProperty({ type: 'integer', example: 404 })
  status!: number;

  @ApiPropertyOptional()
  detail?: string;

  @ApiPropertyOptional({ type: ValidationIssueSchema, isArray: true })
  errors?: ValidationIssue[];
}

/** Documents the problem documents an admin operation may answer, by status. */
export function ApiProblems(problems: Readonly<Record<number, string>>): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemSchema),
    ...Object.entries(problems).map(([status, description]) =>
      ApiResponse({
        status: Number(status),
        description,
        content: { [PROBLEM_JSON]: { schema: { $ref: getSchemaPath(ProblemSchema) } } },
      }),
    ),
  );
}

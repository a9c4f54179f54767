import type { ValidationIssue } from '@nest-identity/shared';

/** RFC 9457 (formerly RFC 7807) problem details, as the admin API answers every error. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  /** For invalid input: each problem with its path in the request body (`claims[1].type`). */
  errors?: ValidationIssue[];
}

export const PROBLEM_JSON = 'application/problem+json';

/** Our problem types are URNs: stable names a script can test, never fetched. */
const PROBLEM_TYPE_PREFIX = 'urn:nest-identity:problem:';

export function problemType(name: string): string {
  return `${PROBLEM_TYPE_PREFIX}${name}`;
}

/**
 * An admin request refused before it reaches client management (its body, its media type).
 * Thrown by the admin controllers; rendered by ProblemDetailsFilter.
 */
export class AdminRequestProblem extends Error {
  constructor(readonly problem: ProblemDocument) {
    super(problem.detail ?? problem.title);
    this.name = 'AdminRequestProblem';
  }

  static unsupportedMediaType(): AdminRequestProblem {
    return new AdminRequestProblem({
      type: problemType('unsupported-media-type'),
      title: 'Unsupported media type',
      status: 415,
      detail: 'the request body must be application/json',
    });
  }

  static nestedTooDeep(maxDepth: number): AdminRequestProblem {
    return new AdminRequestProblem({
      type: problemType('invalid-input'),
      title: 'The request is invalid',
      status: 400,
      detail: `the request body nests arrays and objects deeper than ${maxDepth} levels`,
      errors: [{ path: '', message: `nests arrays and objects deeper than ${maxDepth} levels` }],
    });
  }

  static unparsableBody(reason: string): AdminRequestProblem {
    return new AdminRequestProblem({
      type: problemType('invalid-input'),
      title: 'The request is invalid',
      status: 400,
      detail: 'the request body is not valid JSON',
      errors: [{ path: '', message: `is not valid JSON (${reason})` }],
    });
  }
}

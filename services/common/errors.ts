// One error shape across the box: {status, code, message, details}.
// Services build these through named factories in their own errors.ts.

export interface ErrorBody {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
  toBody(): ErrorBody {
    const body: ErrorBody = { status: this.status, code: this.code, message: this.message };
    if (this.details !== undefined) body.details = this.details;
    return body;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** Field-level validation problems, e.g. `members[2].extension: must be 2–6 digits`. */
export interface FieldProblem {
  field: string;
  message: string;
}

export function validationFailed(problems: FieldProblem[]): AppError {
  const summary = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  return new AppError(400, 'validation-failed', summary, { fields: problems });
}

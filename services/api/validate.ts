import type { z } from 'zod';
import { validationFailed } from './errors';

function fieldName(path: PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');
}

/** Validates input at the edge; every problem names its field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw validationFailed(r.error.issues.map((i) => ({ field: fieldName(i.path) || '(body)', message: i.message })));
}

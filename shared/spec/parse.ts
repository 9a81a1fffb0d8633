/** One way to turn unknown input into a typed spec, with errors a person can act on. */
import type { z } from 'zod';

/** A validation failure at a boundary: `issues` are "path: message" lines, `message` joins them. */
export class SpecError extends Error {
  constructor(
    readonly what: string,
    readonly issues: string[],
  ) {
    super(`invalid ${what}: ${issues.join('; ')}`);
    this.name = 'SpecError';
  }
}

/** Formats zod issues as "layers[2].units: expected an integer" lines. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path
      .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
      .join('');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}

/** Parses `input` with `schema`, throwing a SpecError naming `what` was invalid. */
export function parseSpec<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new SpecError(what, describeIssues(result.error));
  return result.data;
}

/**
 * One entry point for every call from another process or page: looks the method up in the
 * contract, validates its input with the contract's schema, runs the handler and wraps the outcome
 * as a CallResult. Electron's IPC and the browser-mode WebSocket both go through here, so there is
 * exactly one place where untrusted input becomes typed.
 */
import { describeIssues, SpecError } from '../../../shared/spec/parse';
import { lookupMethod, type CallResult, type LabHandlers } from '../../../shared/api';

export type Dispatch = (path: string, rawInput: unknown) => Promise<CallResult>;

/** Builds the dispatcher over `handlers`; `onError` sees unexpected (non-user) errors for logging. */
export function createDispatcher(handlers: LabHandlers, onError: (path: string, error: unknown) => void = () => {}): Dispatch {
  return async (path, rawInput) => {
    const method = lookupMethod(path);
    if (!method) return { ok: false, error: { message: `unknown lab method "${String(path).slice(0, 80)}"` } };
    const parsed = method.input.safeParse(rawInput);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error);
      return { ok: false, error: { message: `invalid input to ${path}: ${issues.join('; ')}`, issues } };
    }
    const [group, name] = path.split('.') as [string, string];
    const handler = (handlers as unknown as Record<string, Record<string, (input: unknown) => unknown>>)[group]![name]!;
    try {
      return { ok: true, value: await handler(parsed.data) };
    } catch (error) {
      if (error instanceof SpecError) return { ok: false, error: { message: error.message, issues: error.issues } };
      if (!(error instanceof UserError)) onError(path, error);
      return { ok: false, error: { message: error instanceof Error ? error.message : String(error) } };
    }
  };
}

/** An error whose message is meant for the user as it is (bad file, unknown run…), not a bug. */
export class UserError extends Error {
  override name = 'UserError';
}

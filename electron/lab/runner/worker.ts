/**
 * One TrainingWorker interface for both hosts (Node worker threads, hidden GPU windows): the
 * runner only ever posts ToWorker messages and listens for FromWorker ones and for the worker dying.
 */
import type { Backend } from '../../../shared/engine/frame';
import type { FromWorker, ToWorker } from '../../../shared/engine/protocol';

export interface TrainingWorker {
  /** Sends a message; typed-array buffers in `transfer` move instead of being copied. */
  post(message: ToWorker, transfer?: ArrayBuffer[]): void;
  onMessage(listener: (message: FromWorker) => void): void;
  /** Called once if the worker dies (crash, kill, error) with a reason a person can read. */
  onExit(listener: (reason: string) => void): void;
  terminate(): Promise<void>;
}

export interface WorkerFactory {
  /** The backends this host's workers try, in order. */
  backends: Backend[];
  create(): Promise<TrainingWorker>;
}

/**
 * The message with every dataset array that lives in shared memory copied into an ordinary buffer.
 * Shared memory only spans threads of one process: a host in another process (a hidden window)
 * must send copies, or the post fails with "An object could not be cloned".
 */
export function withUnsharedArrays(message: ToWorker): ToWorker {
  if (message.type !== 'start') return message;
  const unshare = <T extends Float32Array | Int32Array>(array: T): T => (array.buffer instanceof SharedArrayBuffer ? (array.slice() as T) : array);
  const split = ({ x, y }: { x: Float32Array; y: Int32Array }) => ({ x: unshare(x), y: unshare(y) });
  const { train, validation, test } = message.data;
  return {
    ...message,
    data: { ...message.data, train: split(train), ...(validation ? { validation: split(validation) } : {}), test: split(test) },
  };
}

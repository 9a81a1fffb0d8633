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

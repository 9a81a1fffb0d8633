/** The `experiments` and `runs` groups of LabApi over the store and the runner. */
import type { LabHandlers } from '../../../shared/api';
import type { DecisionBoundary } from '../../../shared/engine/protocol';
import type { DatasetManager } from '../datasets/manager';
import type { LabEvents } from '../events';
import type { RunStore } from '../store/runStore';
import { UserError } from '../api/dispatch';
import type { Runner } from './runner';

export interface RunHandlerDeps {
  store: RunStore;
  runner: Runner;
  datasets: DatasetManager;
  events: LabEvents;
}

/** Builds the `experiments` and `runs` handler groups: the store answers queries, the runner trains. */
export function createRunHandlers({ store, runner, datasets }: RunHandlerDeps): Pick<LabHandlers, 'experiments' | 'runs'> {
  return {
    experiments: {
      start: ({ experiment }) => {
        // Every dataset must exist, and hold its split, before anything is stored (describe() checks without loading).
        for (const run of experiment.runs) datasets.describe(run.data.source, run.data);
        const created = store.createExperiment(experiment);
        runner.enqueue(created.runIds);
        return created;
      },
    },
    runs: {
      list: (filter) => store.listRuns(filter),
      get: ({ runId }) => store.getRun(runId),
      cancel: ({ runId }) => ({ cancelled: runner.cancel(runId) }),
      rerun: ({ runId }) => {
        const id = store.cloneRun(runId);
        runner.enqueue([id]);
        return { runId: id };
      },
      remove: ({ runIds }) => {
        const running = runIds.filter((id) => runner.runningIds().includes(id));
        if (running.length) throw new UserError(`cancel ${running.length === 1 ? 'the run' : 'these runs'} before deleting: ${running.join(', ')}`);
        // A queued run that is deleted must not be picked up by a worker afterwards.
        runner.withdraw(runIds);
        return { removed: store.removeRuns(runIds) };
      },
      keys: ({ runId }) => store.keys(runId),
      series: (query) => store.series(query),
      snapshot: ({ runId }) => store.snapshot(runId),
      boundary: ({ runId }) => store.getArtefact(runId, 'boundary') as DecisionBoundary | null,
      export: ({ runIds, format }) => store.exportRuns(runIds, format),
      import: ({ content }) => ({ runIds: store.importRuns(content) }),
      control: ({ runId, action }) => ({ ok: runner.control(runId, action) }),
      inspect: ({ runId, layerId }) => runner.inspect(runId, layerId),
    },
  };
}

/**
 * Workshop mode: the open workshop file, the bench as it was before it (restored on leaving), the
 * controls the file locks or hides, and the instructor's save dialog. The session survives a
 * restart like the draft does; the participant's edits live in the draft store, which asks
 * `allowed` about every change.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { z } from 'zod';
import { parseWorkshopFile, WorkshopFile, type WorkshopControl } from '../../../shared/spec/workshop';
import { Draft } from '../build/draft';
import { changedControls, draftFromExperiment, enforceLocks, workshopExperiment } from '../build/workshop';
import type { ExperimentResult } from '../build/experiment';
import { loadPersisted, persistOnChange } from '../lib/persist';
import { messageOf } from '../lib/errors';
import { cloneJson } from '../lib/clone';
import { useDraftStore } from './useDraftStore';

const STORAGE_KEY = 'bnlab.workshop.v1';

const Session = z.object({
  file: WorkshopFile,
  fileName: z.string().min(1).max(255),
  /** The participant's own draft from before the workshop, given back on leaving. */
  bench: Draft,
});
type Session = z.infer<typeof Session>;

/** What the save dialog saves: the bench's experiment (or the open workshop's), or a preset. */
export type WorkshopSource = { kind: 'bench' } | { kind: 'preset'; presetId: string };

export const CONTROL_LABELS: Record<WorkshopControl, string> = {
  model: 'Model layers',
  normOptions: 'Normalization options',
  data: 'Data',
  training: 'Training settings',
  variants: 'What is varied',
  seeds: 'Seeds',
};

export const useWorkshopStore = defineStore('workshop', () => {
  const saved = loadPersisted(STORAGE_KEY, Session.nullable(), () => null);
  const session = ref<Session | null>(saved.value);
  /** Why a saved workshop could not be restored (the bench then opens normally). */
  const restoreProblem = ref<string | null>(saved.problem);
  persistOnChange(STORAGE_KEY, session);

  /** The last edit refused because the file locks or hides what it changed (shown until dismissed). */
  const refused = ref<string | null>(null);
  /** The save dialog's source while it is open. */
  const saving = ref<WorkshopSource | null>(null);

  const active = computed(() => session.value !== null);
  const file = computed(() => session.value?.file ?? null);
  /** The draft the file describes: what locked controls are held to, and what "reset" returns to. */
  const baseline = computed(() => (session.value ? draftFromExperiment(session.value.file.experiment) : null));
  /** Hidden controls cannot be changed either: a participant could not see what they changed. */
  const fixedControls = computed<WorkshopControl[]>(() => (session.value ? [...new Set([...session.value.file.locked, ...session.value.file.hidden])] : []));

  function isLocked(control: WorkshopControl): boolean {
    return session.value?.file.locked.includes(control) ?? false;
  }
  function isHidden(control: WorkshopControl): boolean {
    return session.value?.file.hidden.includes(control) ?? false;
  }

  /** `draft` itself when the workshop allows it, else a copy with the fixed controls put back. */
  function allowed(draft: Draft): Draft {
    if (!baseline.value || fixedControls.value.length === 0) return draft;
    const changed = changedControls(draft, baseline.value, fixedControls.value);
    if (changed.length === 0) return draft;
    refused.value = `${changed.map((c) => CONTROL_LABELS[c]).join(', ')}: locked by the workshop file`;
    return enforceLocks(draft, baseline.value, fixedControls.value);
  }

  /** What the participant's draft trains (see workshopExperiment). */
  function experimentFor(draft: Draft): ExperimentResult {
    if (!session.value || !baseline.value) return { ok: false, problems: ['no workshop is open'] };
    return workshopExperiment(session.value.file, baseline.value, draft);
  }

  /**
   * Opens a workshop file's text: on success the bench shows its experiment (the current bench is
   * kept to return to) and null is returned; otherwise the message saying what is wrong with
   * which file, and nothing has changed.
   */
  function open(text: string, fileName: string): string | null {
    let parsed: WorkshopFile;
    try {
      parsed = parseWorkshopFile(text, fileName);
    } catch (error) {
      return messageOf(error);
    }
    const draft = useDraftStore();
    // Opening a second workshop keeps the bench from before the first.
    const bench = session.value?.bench ?? draft.draft;
    session.value = { file: parsed, fileName, bench: cloneJson(bench) };
    refused.value = null;
    draft.replace(baseline.value!);
    return null;
  }

  /** Leaves workshop mode: the bench is as it was before the workshop was opened. */
  function leave(): void {
    if (!session.value) return;
    const bench = session.value.bench;
    session.value = null;
    refused.value = null;
    useDraftStore().replace(bench);
  }

  return { session, file, active, baseline, restoreProblem, refused, saving, isLocked, isHidden, allowed, experimentFor, open, leave };
});

/** Workshop files round-trip, and invalid or tampered ones are refused with a message saying what is wrong. */
import { describe, expect, it } from 'vitest';
import { getPreset, presetWorkshop } from '../../../shared/presets';
import { SpecError } from '../../../shared/spec/parse';
import { parseWorkshopFile, workshopFileText, type WorkshopFileInput } from '../../../shared/spec/workshop';

const preset = getPreset('why-standardize')!;
const experiment = preset.experiment({ quick: true });
const base: WorkshopFileInput = { format: 'bnlab-workshop', version: 1, experiment, charts: preset.charts, prompts: ['Which mode copes with the badly scaled input?'], locked: ['model'], hidden: ['seeds'] };
const good = workshopFileText(base);
// A hand edit can put anything anywhere: the edits below reach into untyped JSON on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
/** The good file as JSON, changed by `edit` (as a hand edit would), back to text. */
const tamper = (edit: (json: Json) => void): string => {
  const json = JSON.parse(good);
  edit(json);
  return JSON.stringify(json);
};

describe('workshop files', () => {
  it('round-trip an experiment with charts, prompts, locked and hidden controls', () => {
    const file = parseWorkshopFile(good, 'class.bnlab.json');
    expect(file.experiment).toEqual(experiment);
    expect(file.charts).toEqual(preset.charts);
    expect(file).toMatchObject({ prompts: ['Which mode copes with the badly scaled input?'], locked: ['model'], hidden: ['seeds'] });
  });

  it('fill in what an older or hand-written file leaves out', () => {
    const minimal = JSON.stringify({ format: 'bnlab-workshop', version: 1, experiment });
    expect(parseWorkshopFile(minimal)).toMatchObject({ charts: [], prompts: [], locked: [], hidden: [] });
  });

  it('start from any preset', () => {
    const file = presetWorkshop(getPreset('ioffe-fig1')!);
    expect(file.experiment.runs.every((r) => 'steps' in r.training.duration && r.training.duration.steps === 5_000)).toBe(true);
    expect(parseWorkshopFile(workshopFileText(file))).toEqual(file);
  });

  it.each([
    ['not JSON', '{', /class\.bnlab\.json: not valid JSON/],
    ['JSON but not an object', '[1, 2]', /not a BatchNorm Lab workshop file \(expected "format": "bnlab-workshop"\)/],
    ['another format', '{"format":"something-else","version":1}', /not a BatchNorm Lab workshop file/],
    ['a newer version', tamper((j) => (j.version = 7)), /made by a newer BatchNorm Lab \(version 7\); update the app/],
    ['a version as text', tamper((j) => (j.version = '1')), /unknown version "1"/],
    ['no version', tamper((j) => delete j.version), /unknown version undefined/],
    ['an unknown control', tamper((j) => (j.locked = ['everything'])), /locked\[0\]: /],
    ['a control listed twice', tamper((j) => (j.hidden = ['seeds', 'seeds'])), /hidden: a control is listed twice/],
    ['a negative learning rate', tamper((j) => (j.experiment.runs[0].training.learningRate = -3)), /experiment\.runs\[0\]\.training\.learningRate/],
    ['a duplicated layer id', tamper((j) => (j.experiment.runs[1].model.layers[2].id = 'd1')), /layer id "d1" is used twice/],
    ['γ learned in standardize mode', tamper((j) => (j.experiment.runs.at(-1).model.layers.find((l: Json) => l.kind === 'norm').mode = 'standardize')), /"standardize" computes x̂ only/],
    ['no runs', tamper((j) => (j.experiment.runs = [])), /an experiment needs at least one run/],
    ['an extra field', tamper((j) => (j.evil = true)), /Unrecognized key/i],
    ['a chart of a variant the experiment lacks', tamper((j) => (j.charts[0].variants = ['ghost'])), /charts\[0\]\.variants\[0\]: no run of the experiment is variant "ghost"/],
    ['a scatter of a layer no model has', tamper((j) => j.charts.push({ kind: 'scatter', id: 'sc', title: 'γ', layerId: 'bn9', x: 'std', y: 'gamma' })), /no model of the experiment has a layer "bn9"/],
    ['two charts with one id', tamper((j) => j.charts.push(j.charts[0])), /chart id "test-acc" is used twice/],
    ['a chart of an unknown kind', tamper((j) => (j.charts[0].kind = 'pie')), /charts\[0\]/],
    ['a band without three keys', tamper((j) => j.charts.push({ kind: 'band', id: 'b', title: 'b', keys: ['a/b'] })), /charts\[3\]\.keys/],
    ['a malformed series key', tamper((j) => (j.charts[0].keys = ['test//acc'])), /a series key is names joined by "\/"/],
  ])('refuse %s', (_what, text, message) => {
    expect(() => parseWorkshopFile(text, 'class.bnlab.json')).toThrow(message);
    expect(() => parseWorkshopFile(text, 'class.bnlab.json')).toThrow(SpecError);
  });
});

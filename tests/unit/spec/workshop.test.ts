import { describe, expect, it } from 'vitest';
import { getPreset } from '../../../shared/presets';
import { parseWorkshopFile, workshopFileText } from '../../../shared/spec/workshop';

const experiment = getPreset('why-standardize')!.experiment({ quick: true });
const good = workshopFileText({ format: 'bnlab-workshop', version: 1, experiment, prompts: ['Which mode copes with the badly scaled input?'], locked: ['model'], hidden: ['seeds'] });

describe('workshop files', () => {
  it('round-trip an experiment with prompts, locked and hidden controls', () => {
    const file = parseWorkshopFile(good, 'class.bnlab.json');
    expect(file.experiment).toEqual(experiment);
    expect(file).toMatchObject({ prompts: ['Which mode copes with the badly scaled input?'], locked: ['model'], hidden: ['seeds'], charts: [] });
  });

  it.each([
    ['{', /class\.bnlab\.json: not valid JSON/],
    ['{"format":"something-else","version":1}', /not a BatchNorm Lab workshop file \(expected "format": "bnlab-workshop"\)/],
    [good.replace('"version": 1', '"version": 7'), /made by a newer BatchNorm Lab \(version 7\); update the app/],
    [good.replace('"version": 1', '"version": "1"'), /unknown version "1"/],
    [good.replace('"locked": [\n    "model"\n  ]', '"locked": ["everything"]'), /locked\[0\]: /],
    [good.replace('"learningRate": 0.05', '"learningRate": -3'), /experiment\.runs\[0\]\.training\.learningRate/],
    [good.replace('"prompts"', '"evil": true, "prompts"'), /Unrecognized key/i],
  ])('refuse an invalid or tampered file (%#)', (text, message) => {
    expect(() => parseWorkshopFile(text, 'class.bnlab.json')).toThrow(message);
  });
});

/**
 * Frankle, Schwab & Morcos (2021) ask whether γ and β are special, or whether any parameters as
 * few would do as well. Their control trains "two random parameters per channel": here, for each
 * unit a norm layer normalizes, as many randomly chosen incoming weights of the dense or conv
 * layer that feeds it as the unit has learned γ/β (2 with both, 1 with one) — so exactly as many
 * parameters train as with "train only γ and β" — while γ, β, biases and every other weight stay
 * at their initial values. The choice is a 0/1 mask per kernel, from the run's seed; the optimizer
 * applies it to every update (optimizers.ts).
 */
import type { LayerRuntime } from './model';
import type { Tf } from './ops';
import { Rng } from './random';

/** Sets `layers` up for trainable "randomPerUnit": γ/β frozen, masked kernels trainable, everything else frozen. */
export function trainRandomWeightsPerUnit(tf: Tf, layers: LayerRuntime[], seed: number): void {
  const perUnit = new Map<LayerRuntime, number>();
  layers.forEach((layer, i) => {
    const norm = layer.norm;
    if (!norm) return;
    const learned = [norm.gamma, norm.beta].filter((v) => v?.trainable);
    if (learned.length === 0) return;
    // Frozen here: the random weights take their place.
    for (const v of learned) v!.trainable = false;
    const feeding = layers
      .slice(0, i)
      .reverse()
      .find((l) => l.spec.kind === 'dense' || l.spec.kind === 'conv2d');
    const where = `trainable "randomPerUnit": norm layer "${layer.spec.id}"`;
    if (!feeding) throw new Error(`${where} has no dense or conv layer before it whose weights could train in place of its γ/β`);
    const units = feeding.outShape[feeding.outShape.length - 1]!;
    if (units !== norm.units) throw new Error(`${where} normalizes ${norm.units} features but "${feeding.spec.id}", the layer feeding it, has ${units} units; put the norm layer right after it (or after its activation or pooling)`);
    perUnit.set(feeding, (perUnit.get(feeding) ?? 0) + learned.length);
  });
  for (const layer of layers) {
    for (const param of layer.params) param.variable.trainable = false;
    const count = perUnit.get(layer);
    if (!count) continue;
    const kernel = layer.params.find((p) => p.name === 'kernel')!;
    kernel.variable.trainable = true;
    kernel.mask = tf.tensor(randomPerUnitMask(kernel.variable.shape, count, Rng.derive(seed, 'randomPerUnit', layer.spec.id)), kernel.variable.shape);
  }
}

/**
 * A 0/1 mask over a kernel whose last axis is the output units (dense [in, units], conv
 * [k, k, in, filters]): `count` distinct incoming weights of every unit set to 1.
 */
export function randomPerUnitMask(shape: number[], count: number, rng: Rng): Float32Array {
  const units = shape[shape.length - 1]!;
  const size = shape.reduce((a, b) => a * b, 1);
  const fanIn = size / units;
  if (count > fanIn) throw new Error(`trainable "randomPerUnit": each unit has only ${fanIn} incoming weights, fewer than the ${count} it needs`);
  const mask = new Float32Array(size);
  for (let unit = 0; unit < units; unit++) {
    for (let chosen = 0; chosen < count; ) {
      // Entry (j, unit) of the kernel seen as [fanIn, units]; redraw a weight already chosen.
      const at = rng.int(fanIn) * units + unit;
      if (mask[at] === 1) continue;
      mask[at] = 1;
      chosen++;
    }
  }
  return mask;
}

/**
 * The normalization layer's passes with batch statistics (training, and eval with batch
 * statistics) as one kernel each, forward and backward, on tfjs's wasm backend: plain JS straight
 * on the wasm heap, registered with tfjs under names of our own. The same formulas as norm.ts (its
 * header has them), with sums in float64 and the two-pass variance. The composite ops take ~10
 * kernels forward and ~9 backward per layer at ~4 µs of fixed cost each (two are Sums over the
 * batch axis, which wasm runs through a transpose): for a 60×100 layer ~45–65 µs forward and
 * ~50–85 µs backward against ~18 and ~16 µs here (measured in Node, CPU time).
 * Layers whose units are not a multiple of 4, running statistics, affine mode and every other
 * backend keep the composite ops.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { Tensor, Tf } from './ops';

const FORWARD = 'BnlabNormForwardTrain';
const BACKWARD = 'BnlabNormBackwardTrain';

/** What these kernels use of tfjs-backend-wasm's BackendWasm (4.22); checked before they are registered. */
interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tfc.TensorInfo;
}

function isWasmBackendLike(backend: unknown): backend is WasmBackendLike {
  const b = backend as Partial<WasmBackendLike> | null;
  return !!b && typeof b.makeOutput === 'function' && typeof b.dataIdMap?.get === 'function' && b.wasm?.HEAPU8 instanceof Uint8Array;
}

/**
 * Whether the fused kernels serve a layer of `channels` units on the current backend: on wasm,
 * with channels a multiple of 4, they are registered (once per process) and this is true.
 * Asked once per layer, when it is built.
 */
export function fusedNormCovers(tf: Tf, channels: number): boolean {
  if (channels % 4 !== 0 || tf.getBackend() !== 'wasm' || !isWasmBackendLike(tf.backend())) return false;
  if (!tf.getKernel(FORWARD, 'wasm')) tf.registerKernel({ kernelName: FORWARD, backendName: 'wasm', kernelFunc: forwardKernel as tfc.KernelFunc });
  if (!tf.getKernel(BACKWARD, 'wasm')) tf.registerKernel({ kernelName: BACKWARD, backendName: 'wasm', kernelFunc: backwardKernel as tfc.KernelFunc });
  return true;
}

/** x̂ = (x − μ_B)/√(σ²_B + ε) and y = γ·x̂ + β over the batch (and height × width) of x, channels last; statistics as [1, C] rows. */
export function fusedNormForward(tf: Tf, x: Tensor, gamma: Tensor | null, beta: Tensor | null, epsilon: number): { y: Tensor; xhat: Tensor; mean: Tensor; variance: Tensor; invStd: Tensor } {
  const inputs: tfc.NamedTensorMap = { x };
  if (gamma) inputs.gamma = gamma;
  if (beta) inputs.beta = beta;
  const [y, xhat, mean, variance, invStd] = tf.engine().runKernel(FORWARD, inputs, { epsilon }) as Tensor[];
  return { y: y!, xhat: xhat!, mean: mean!, variance: variance!, invStd: invStd! };
}

/** ∂ℓ/∂x through the batch statistics, Σ∂ℓ/∂y and Σ∂ℓ/∂y·x̂ (the last two as [C]), from ∂ℓ/∂y and the forward pass's x̂ and 1/√(σ²+ε). */
export function fusedNormBackward(tf: Tf, dy: Tensor, xhat: Tensor, invStd: Tensor, gamma: Tensor | null): { dx: Tensor; sumDy: Tensor; sumDyXhat: Tensor } {
  const inputs: tfc.NamedTensorMap = { dy, xhat, invStd };
  if (gamma) inputs.gamma = gamma;
  const [dx, sumDy, sumDyXhat] = tf.engine().runKernel(BACKWARD, inputs) as Tensor[];
  return { dx: dx!, sumDy: sumDy!, sumDyXhat: sumDyXhat! };
}

type KernelArgs = { inputs: Record<string, tfc.TensorInfo | undefined>; backend: WasmBackendLike; attrs?: tfc.NamedAttrMap };

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Index of a tensor's first float32 on the heap. */
function floatIndex(backend: WasmBackendLike, t: tfc.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset >>> 2;
}

function forwardKernel({ inputs, backend, attrs }: KernelArgs): tfc.TensorInfo[] {
  const x = inputs.x!;
  const channels = x.shape[x.shape.length - 1]!;
  const row = [1, channels];
  const outputs = [backend.makeOutput(x.shape, 'float32'), backend.makeOutput(x.shape, 'float32'), backend.makeOutput(row, 'float32'), backend.makeOutput(row, 'float32'), backend.makeOutput(row, 'float32')];
  const [y, xhat, mean, variance, invStd] = outputs as [tfc.TensorInfo, tfc.TensorInfo, tfc.TensorInfo, tfc.TensorInfo, tfc.TensorInfo];
  // After every allocation: a malloc can grow wasm memory, which detaches older views.
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
  normalizeForward(
    heap,
    { rows: sizeOf(x.shape) / channels, channels, gamma: inputs.gamma ? floatIndex(backend, inputs.gamma) : -1, beta: inputs.beta ? floatIndex(backend, inputs.beta) : -1 },
    floatIndex(backend, x),
    attrs!.epsilon as number,
    { y: floatIndex(backend, y), xhat: floatIndex(backend, xhat), mean: floatIndex(backend, mean), variance: floatIndex(backend, variance), invStd: floatIndex(backend, invStd) },
  );
  return outputs;
}

function backwardKernel({ inputs, backend }: KernelArgs): tfc.TensorInfo[] {
  const dy = inputs.dy!;
  const channels = dy.shape[dy.shape.length - 1]!;
  const outputs = [backend.makeOutput(dy.shape, 'float32'), backend.makeOutput([channels], 'float32'), backend.makeOutput([channels], 'float32')];
  const [dx, sumDy, sumDyXhat] = outputs as [tfc.TensorInfo, tfc.TensorInfo, tfc.TensorInfo];
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
  normalizeBackward(
    heap,
    { rows: sizeOf(dy.shape) / channels, channels, gamma: inputs.gamma ? floatIndex(backend, inputs.gamma) : -1, beta: -1 },
    { dy: floatIndex(backend, dy), xhat: floatIndex(backend, inputs.xhat!), invStd: floatIndex(backend, inputs.invStd!) },
    { dx: floatIndex(backend, dx), sumDy: floatIndex(backend, sumDy), sumDyXhat: floatIndex(backend, sumDyXhat) },
  );
  return outputs;
}

/** A [rows, channels] layout and where γ and β start on the heap (−1: absent, read as 1 and 0). */
interface Layout {
  rows: number;
  channels: number;
  gamma: number;
  beta: number;
}

/*
 * The loops below walk four channels at a time down the rows, with the four running sums in
 * locals: measured ~2× faster in V8 than a pass along the rows accumulating into a per-channel
 * array (a load and a store per value), which made a first version of this kernel slower than the
 * ops it replaced. Hence channels must be a multiple of 4 (fusedNormCovers).
 */

/** μ, σ² (two passes) and 1/√(σ²+ε) per channel, then x̂ and y = γ·x̂ + β, four channels at a time. */
function normalizeForward(heap: Float32Array, l: Layout, x: number, epsilon: number, out: { y: number; xhat: number; mean: number; variance: number; invStd: number }): void {
  const { rows, channels } = l;
  const end = rows * channels;
  // Locals, not property reads, inside the loops.
  const { y, xhat } = out;
  for (let c = 0; c < channels; c += 4) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let i = x + c; i < x + end; i += channels) {
      s0 += heap[i]!;
      s1 += heap[i + 1]!;
      s2 += heap[i + 2]!;
      s3 += heap[i + 3]!;
    }
    const m0 = s0 / rows, m1 = s1 / rows, m2 = s2 / rows, m3 = s3 / rows;
    let v0 = 0, v1 = 0, v2 = 0, v3 = 0;
    for (let i = x + c; i < x + end; i += channels) {
      const d0 = heap[i]! - m0, d1 = heap[i + 1]! - m1, d2 = heap[i + 2]! - m2, d3 = heap[i + 3]! - m3;
      v0 += d0 * d0;
      v1 += d1 * d1;
      v2 += d2 * d2;
      v3 += d3 * d3;
    }
    v0 /= rows;
    v1 /= rows;
    v2 /= rows;
    v3 /= rows;
    const r0 = 1 / Math.sqrt(v0 + epsilon), r1 = 1 / Math.sqrt(v1 + epsilon), r2 = 1 / Math.sqrt(v2 + epsilon), r3 = 1 / Math.sqrt(v3 + epsilon);
    writeRow(heap, out.mean + c, m0, m1, m2, m3);
    writeRow(heap, out.variance + c, v0, v1, v2, v3);
    writeRow(heap, out.invStd + c, r0, r1, r2, r3);
    const g0 = l.gamma < 0 ? 1 : heap[l.gamma + c]!, g1 = l.gamma < 0 ? 1 : heap[l.gamma + c + 1]!, g2 = l.gamma < 0 ? 1 : heap[l.gamma + c + 2]!, g3 = l.gamma < 0 ? 1 : heap[l.gamma + c + 3]!;
    const b0 = l.beta < 0 ? 0 : heap[l.beta + c]!, b1 = l.beta < 0 ? 0 : heap[l.beta + c + 1]!, b2 = l.beta < 0 ? 0 : heap[l.beta + c + 2]!, b3 = l.beta < 0 ? 0 : heap[l.beta + c + 3]!;
    for (let i = c; i < end; i += channels) {
      const h0 = (heap[x + i]! - m0) * r0, h1 = (heap[x + i + 1]! - m1) * r1, h2 = (heap[x + i + 2]! - m2) * r2, h3 = (heap[x + i + 3]! - m3) * r3;
      writeRow(heap, xhat + i, h0, h1, h2, h3);
      writeRow(heap, y + i, g0 * h0 + b0, g1 * h1 + b1, g2 * h2 + b2, g3 * h3 + b3);
    }
  }
}

/**
 * Σ∂ℓ/∂y and Σ∂ℓ/∂y·x̂ per channel, then ∂ℓ/∂x = γ/√(σ²+ε)·(∂ℓ/∂y − (1/m)(Σ∂ℓ/∂y + x̂·Σ∂ℓ/∂y·x̂)),
 * four channels at a time.
 */
function normalizeBackward(heap: Float32Array, l: Layout, at: { dy: number; xhat: number; invStd: number }, out: { dx: number; sumDy: number; sumDyXhat: number }): void {
  const { rows, channels } = l;
  const end = rows * channels;
  const { dy, xhat } = at;
  const { dx } = out;
  for (let c = 0; c < channels; c += 4) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, p0 = 0, p1 = 0, p2 = 0, p3 = 0;
    for (let i = c; i < end; i += channels) {
      const d0 = heap[dy + i]!, d1 = heap[dy + i + 1]!, d2 = heap[dy + i + 2]!, d3 = heap[dy + i + 3]!;
      s0 += d0;
      s1 += d1;
      s2 += d2;
      s3 += d3;
      p0 += d0 * heap[xhat + i]!;
      p1 += d1 * heap[xhat + i + 1]!;
      p2 += d2 * heap[xhat + i + 2]!;
      p3 += d3 * heap[xhat + i + 3]!;
    }
    writeRow(heap, out.sumDy + c, s0, s1, s2, s3);
    writeRow(heap, out.sumDyXhat + c, p0, p1, p2, p3);
    const k0 = scaleOf(heap, l, at.invStd, c), k1 = scaleOf(heap, l, at.invStd, c + 1), k2 = scaleOf(heap, l, at.invStd, c + 2), k3 = scaleOf(heap, l, at.invStd, c + 3);
    s0 /= rows;
    s1 /= rows;
    s2 /= rows;
    s3 /= rows;
    p0 /= rows;
    p1 /= rows;
    p2 /= rows;
    p3 /= rows;
    for (let i = c; i < end; i += channels) {
      writeRow(
        heap,
        dx + i,
        k0 * (heap[dy + i]! - s0 - heap[xhat + i]! * p0),
        k1 * (heap[dy + i + 1]! - s1 - heap[xhat + i + 1]! * p1),
        k2 * (heap[dy + i + 2]! - s2 - heap[xhat + i + 2]! * p2),
        k3 * (heap[dy + i + 3]! - s3 - heap[xhat + i + 3]! * p3),
      );
    }
  }
}

/** γ/√(σ²+ε) of one channel. */
function scaleOf(heap: Float32Array, l: Layout, invStd: number, c: number): number {
  return l.gamma < 0 ? heap[invStd + c]! : heap[invStd + c]! * heap[l.gamma + c]!;
}

function writeRow(heap: Float32Array, at: number, a: number, b: number, c: number, d: number): void {
  heap[at] = a;
  heap[at + 1] = b;
  heap[at + 2] = c;
  heap[at + 3] = d;
}

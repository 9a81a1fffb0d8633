/**
 * What a normalization layer computes, as TeX for KaTeX: the forward formula with fixed values
 * written in, and the running-statistics update of its convention (BN-REFERENCE.md).
 */
import type { NormLayer } from '../../../shared/spec/model';

/** A number as TeX: short, exponent for very small values (ε = 1 \times 10^{-5}). */
export function texNumber(v: number): string {
  if (v !== 0 && Math.abs(v) < 1e-3) {
    const [mantissa, exponent] = v.toExponential().split('e') as [string, string];
    const m = Number(Number(mantissa).toPrecision(3));
    return `${m === 1 ? '' : `${m} \\times `}10^{${Number(exponent)}}`;
  }
  return String(Number(v.toPrecision(4)));
}

type Formula = Pick<NormLayer, 'mode' | 'gamma' | 'beta' | 'epsilon' | 'convention' | 'momentum'>;

/** The γ or β factor as written: a symbol when learned, its value when fixed, nothing when absent. */
function term(param: NormLayer['gamma'], symbol: string): string | null {
  if (param.use === 'absent') return null;
  if (param.use === 'fixed') return texNumber(param.init);
  return symbol;
}

/** The layer's forward computation in training mode. */
export function forwardTex(layer: Formula): string {
  const xhat = `\\frac{x - \\mu_B}{\\sqrt{\\sigma_B^2 + ${texNumber(layer.epsilon)}}}`;
  const scaled = (inner: string) => {
    const g = term(layer.gamma, '\\gamma');
    const b = term(layer.beta, '\\beta');
    let out = g === null || g === '1' ? inner : `${g} \\cdot ${inner}`;
    if (b !== null && b !== '0') out += b.startsWith('-') ? ` ${b}` : ` + ${b}`;
    return out;
  };
  switch (layer.mode) {
    case 'none':
      return 'y = x';
    case 'standardize':
      return `y = ${xhat}`;
    case 'affine':
      return `y = ${scaled('x')}`;
    case 'batchnorm':
    case 'frozen':
      return `y = ${scaled(xhat)}`;
  }
}

/** The running-statistics update, or null for modes that keep none. */
export function runningTex(layer: Formula): string | null {
  if (layer.mode === 'none' || layer.mode === 'affine') return null;
  const m = texNumber(layer.momentum);
  const keep = texNumber(Number((1 - layer.momentum).toPrecision(6)));
  if (layer.convention === 'pytorch') {
    return `\\hat\\mu \\leftarrow ${keep}\\,\\hat\\mu + ${m}\\,\\mu_B,\\quad \\hat\\sigma^2 \\leftarrow ${keep}\\,\\hat\\sigma^2 + ${m}\\,\\tfrac{n}{n-1}\\sigma_B^2`;
  }
  return `\\hat\\mu \\leftarrow ${m}\\,\\hat\\mu + ${keep}\\,\\mu_B,\\quad \\hat\\sigma^2 \\leftarrow ${m}\\,\\hat\\sigma^2 + ${keep}\\,\\sigma_B^2`;
}

/** A plain-text reading of the formula for screen readers. */
export function forwardSpoken(layer: Formula): string {
  const g = layer.gamma.use === 'learned' ? 'learned gamma' : layer.gamma.use === 'fixed' ? `gamma fixed at ${layer.gamma.init}` : 'no gamma';
  const b = layer.beta.use === 'learned' ? 'learned beta' : layer.beta.use === 'fixed' ? `beta fixed at ${layer.beta.init}` : 'no beta';
  switch (layer.mode) {
    case 'none':
      return 'y equals x';
    case 'standardize':
      return `x minus the batch mean, divided by the square root of the batch variance plus epsilon ${layer.epsilon}`;
    case 'affine':
      return `gamma times x plus beta, without standardization; ${g}, ${b}`;
    default:
      return `standardized x (batch mean and variance, epsilon ${layer.epsilon}), scaled by gamma and shifted by beta; ${g}, ${b}`;
  }
}

/** The config diff of a comparison: every setting as a dotted path, and which of them differ. */

/** Flattens nested objects/arrays to "training.optimizer.kind" → value ("layers[2].mode"). */
export function flattenConfig(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (Array.isArray(value)) {
    // Layers read better by id than by position: "layers.bn1.mode".
    value.forEach((item, i) => {
      const id = item && typeof item === 'object' && typeof (item as { id?: unknown }).id === 'string' ? (item as { id: string }).id : `[${i}]`;
      flattenConfig(item, prefix ? `${prefix}.${id}` : id, out);
    });
    if (value.length === 0) out[prefix] = '[]';
    return out;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
    return out;
  }
  out[prefix] = value === undefined ? '—' : String(value);
  return out;
}

export interface DiffRow {
  path: string;
  /** One value per column ("—" where a run lacks the setting). */
  values: string[];
  differs: boolean;
}

/** Rows for every setting of `configs` (one per column), differing rows flagged. */
export function configDiff(configs: readonly unknown[]): DiffRow[] {
  const flat = configs.map((c) => flattenConfig(c));
  const paths: string[] = [];
  const seen = new Set<string>();
  for (const f of flat) {
    for (const p of Object.keys(f)) {
      if (seen.has(p)) continue;
      seen.add(p);
      paths.push(p);
    }
  }
  return paths.map((path) => {
    const values = flat.map((f) => f[path] ?? '—');
    return { path, values, differs: values.some((v) => v !== values[0]) };
  });
}

/**
 * Three-way merge of specs: what a variant changed in a base run, replayed onto an edited copy of
 * that base. This is how a workshop file's variants (given only as finished runs) follow a
 * participant's edits: "BN + noise" stays "BN + noise" when the participant changes the learning
 * rate. Where the variant and the edit change the same value, the variant wins: it is the
 * difference the workshop is about.
 */
import { deepEqual } from '../lib/equal';
import { cloneJson } from '../lib/clone';

type Json = unknown;
type JsonObject = Record<string, Json>;
type Identified = JsonObject & { id: string };

const isRecord = (value: Json): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A list of objects with distinct string ids (model layers): merged by id, not by position. */
function isIdList(value: Json): value is Identified[] {
  if (!Array.isArray(value) || !value.every((item) => isRecord(item) && typeof item.id === 'string')) return false;
  return new Set(value.map((item) => (item as Identified).id)).size === value.length;
}

/** `edited` with the changes `variant` made to `base` applied (the variant's value where both changed it). */
export function mergeChanges(base: Json, variant: Json, edited: Json): Json {
  return cloneJson(merge(base, variant, edited));
}

function merge(base: Json, variant: Json, edited: Json): Json {
  if (deepEqual(base, variant)) return edited;
  if (deepEqual(base, edited)) return variant;
  if (isIdList(base) && isIdList(variant) && isIdList(edited)) return mergeById(base, variant, edited);
  if (isRecord(base) && isRecord(variant) && isRecord(edited)) {
    // A tagged union (optimizer, initializer, data source, layer): fields belong to their kind,
    // so a change of kind takes the whole object — the variant's if it changed the kind, else the edit's.
    if ('kind' in base && variant.kind !== base.kind) return variant;
    if ('kind' in base && edited.kind !== base.kind) return edited;
    const out: JsonObject = {};
    for (const key of new Set([...Object.keys(variant), ...Object.keys(edited), ...Object.keys(base)])) {
      const value = merge(base[key], variant[key], edited[key]);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
  return variant;
}

/**
 * Layers by id. If the variant kept the base's structure (same ids in the same order), the
 * participant's structure stands, each layer merged. If the variant restructured the model
 * (removed, added or moved layers), its structure stands: layers the participant removed are
 * dropped, layers they added go in after the layer they followed.
 */
function mergeById(base: Identified[], variant: Identified[], edited: Identified[]): Identified[] {
  const baseById = new Map(base.map((l) => [l.id, l]));
  const variantById = new Map(variant.map((l) => [l.id, l]));
  const editedById = new Map(edited.map((l) => [l.id, l]));
  const mergeLayer = (id: string) => merge(baseById.get(id), variantById.get(id), editedById.get(id)) as Identified;

  const sameStructure = base.length === variant.length && base.every((l, i) => l.id === variant[i]!.id);
  if (sameStructure) return edited.map((l) => (baseById.has(l.id) ? mergeLayer(l.id) : l));

  const out: Identified[] = [];
  for (const layer of variant) {
    if (!baseById.has(layer.id)) out.push(layer);
    else if (editedById.has(layer.id)) out.push(mergeLayer(layer.id));
  }
  edited.forEach((layer, i) => {
    if (baseById.has(layer.id) || out.some((l) => l.id === layer.id)) return;
    const before = edited.slice(0, i).reverse().find((l) => out.some((o) => o.id === l.id));
    out.splice(before ? out.findIndex((o) => o.id === before.id) + 1 : 0, 0, layer);
  });
  return out;
}

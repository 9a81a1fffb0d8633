/**
 * A deep copy of JSON data (specs, sources). structuredClone cannot copy Vue's reactive proxies,
 * and every value copied here is JSON by contract anyway.
 */
export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

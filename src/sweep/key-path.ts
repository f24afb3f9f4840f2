/**
 * Key paths into the raw scenario object ("channel.loss.rate", "variants[1].receiver.plc",
 * "phases.0.set.delay.baseMs"). Applied before validation, so the schema then checks each sweep
 * point as if it had been written by hand, and its errors name the same key path.
 */
import { UsageError } from '../core/errors.ts';

export type Segment = string | number;

const KEY_RE = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

export function parseKeyPath(path: string): Segment[] {
  const segs: Segment[] = [];
  const parts = path.trim().split('.');
  for (const part of parts) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) throw new UsageError(`bad key path "${path}": cannot read "${part}"`);
    const [, name, idx] = m;
    if (name !== '') {
      if (/^\d+$/.test(name)) segs.push(Number(name));
      else if (KEY_RE.test(name)) segs.push(name);
      else throw new UsageError(`bad key path "${path}": "${name}" is not a key`);
    } else if (idx === '') throw new UsageError(`bad key path "${path}": empty segment`);
    for (const i of idx.matchAll(/\[(\d+)\]/g)) segs.push(Number(i[1]));
  }
  if (segs.length === 0) throw new UsageError('empty key path');
  return segs;
}

type Container = Record<string, unknown> | unknown[];

function isContainer(x: unknown): x is Container {
  return x !== null && typeof x === 'object';
}

/**
 * A copy of `root` with `value` at `path`; intermediate mappings are created when missing (an
 * omitted section takes its defaults, so `channel.loss.rate` works on a scenario without `loss`).
 * Arrays are never grown: an index past the end is a usage error naming the path.
 */
export function setKeyPath(root: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const segs = parseKeyPath(path);
  const out = structuredClone(root);
  let node: Container = out;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const last = i === segs.length - 1;
    if (Array.isArray(node)) {
      if (typeof seg !== 'number' || seg >= node.length) {
        throw new UsageError(`key path "${path}": ${typeof seg === 'number' ? `index ${seg} is past the end (${node.length} item(s))` : `"${seg}" indexes a list`}`);
      }
      if (last) node[seg] = value;
      else {
        const next: unknown = node[seg];
        if (!isContainer(next)) throw new UsageError(`key path "${path}": item ${seg} is not a mapping`);
        node = next;
      }
    } else {
      const key = String(seg);
      if (last) node[key] = value;
      else {
        let next: unknown = node[key];
        if (next === undefined || next === null) {
          next = typeof segs[i + 1] === 'number' ? [] : {};
          node[key] = next;
        }
        if (!isContainer(next)) throw new UsageError(`key path "${path}": "${segs.slice(0, i + 1).join('.')}" is ${JSON.stringify(next)}, not a mapping`);
        node = next;
      }
    }
  }
  return out;
}

/** A command-line value: number, boolean, null, or a string as written. */
export function coerceValue(text: string): number | string | boolean | null {
  const t = text.trim();
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null') return null;
  if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  return t;
}

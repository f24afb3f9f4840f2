/**
 * Every numeric key of a scenario has a range, and a value outside it is refused with the key
 * path and the range. The keys are found by walking the emitted JSON Schema, so a key added
 * later without a range fails here.
 */
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/core/errors.ts';
import { scenarioJsonSchema } from '../../src/scenario/json-schema.ts';
import { parseScenarioText, scenarioFromObject } from '../../src/scenario/load.ts';
import { formatPath } from '../../src/scenario/yaml-locate.ts';

type Node = {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, Node>;
  required?: string[];
  items?: Node;
  anyOf?: Node[];
  oneOf?: Node[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
};

interface NumericKey {
  path: Array<string | number>;
  node: Node;
  /** The whole scenario object with `v` at this key (and valid values for the required keys around it). */
  scenarioWith: (v: unknown) => Record<string, unknown>;
}

/** A valid value for a required key: the first constant or option, the minimum, an empty string. */
function validValue(n: Node): unknown {
  if (n.const !== undefined) return n.const;
  if (n.enum) return n.enum[0];
  const options = n.anyOf ?? n.oneOf;
  if (options) return validValue(options.find((o) => o.type !== 'null')!);
  if (n.type === 'object') return requiredOf(n);
  if (n.type === 'array') return [];
  if (n.type === 'number' || n.type === 'integer') return n.minimum ?? 0;
  if (n.type === 'boolean') return false;
  return 'x';
}

function requiredOf(n: Node): Record<string, unknown> {
  return Object.fromEntries((n.required ?? []).map((k) => [k, validValue(n.properties![k])]));
}

function numericKeys(n: Node, path: Array<string | number>, wrap: (v: unknown) => Record<string, unknown>, out: NumericKey[]): NumericKey[] {
  for (const o of [...(n.anyOf ?? []), ...(n.oneOf ?? [])]) numericKeys(o, path, wrap, out);
  if ((n.type === 'number' || n.type === 'integer') && n.const === undefined) out.push({ path, node: n, scenarioWith: wrap });
  if (n.type === 'array' && n.items) numericKeys(n.items, [...path, 0], (v) => wrap([v]), out);
  if (n.type === 'object' && n.properties) {
    // Records (expect, sweep.vary, jitterBuffer.options) have no properties: their values are the user's own.
    for (const [k, child] of Object.entries(n.properties)) numericKeys(child, [...path, k], (v) => wrap({ ...requiredOf(n), [k]: v }), out);
  }
  return out;
}

const root = scenarioJsonSchema() as Node;
const keys = numericKeys(root, [], (v) => v as Record<string, unknown>, []);
// Phase times are seconds or duration strings, checked against the call's length (load.ts).
const exempt = (k: NumericKey) => k.path[0] === 'phases' && (k.path[2] === 'at' || k.path[2] === 'for');
const ranged = keys.filter((k) => !exempt(k));

function rejection(obj: Record<string, unknown>): ScenarioError {
  try {
    scenarioFromObject(obj, 'r.yaml');
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error(`accepted ${JSON.stringify(obj)}`);
}

describe('numeric ranges of scenario keys', () => {
  it('finds the numeric keys of every section', () => {
    const paths = new Set(ranged.map((k) => formatPath(k.path)));
    for (const p of ['slotMs', 'durationS', 'channel.link.rateKbps', 'channel.delay.jitterMs', 'phases[0].set.link.rateKbps', 'receiver.jitterBuffer.maxDelayMs', 'variants[0].sender.codec.bitrateKbps', 'crossTraffic[0].rateKbps', 'sender.adaptation.delayBased.gain']) {
      expect(paths).toContain(p);
    }
    expect(ranged.length).toBeGreaterThan(150);
  });

  it('every numeric key has a finite inclusive minimum and maximum', () => {
    const unbounded = ranged
      .filter((k) => !(Number.isFinite(k.node.minimum) && Number.isFinite(k.node.maximum) && k.node.maximum! < Number.MAX_SAFE_INTEGER))
      .map((k) => formatPath(k.path));
    expect(unbounded).toEqual([]);
  });

  it('a value above or below the range is refused with the key path and the range', () => {
    for (const k of ranged) {
      const { minimum: min, maximum: max } = k.node as Required<Node>;
      const word = k.node.type === 'integer' ? 'an integer in' : 'in';
      for (const bad of [max + 1, min - 1]) {
        const e = rejection(k.scenarioWith(bad));
        expect(e.keyPath, `${formatPath(k.path)} = ${bad}`).toBe(formatPath(k.path));
        expect(e.detail).toBe(`must be ${word} ${min}..${max}, got ${bad}`);
      }
      if (k.node.type === 'integer') expect(rejection(k.scenarioWith(min + 0.5)).detail).toBe(`must be an integer in ${min}..${max}, got ${min + 0.5}`);
      else expect(rejection(k.scenarioWith('fast')).detail).toBe(`must be a number in ${min}..${max}, got "fast"`);
    }
  });

  it('the values the issue found are refused before running, with the range and the line', () => {
    const slot = (() => {
      try {
        parseScenarioText('durationS: 2\nslotMs: 0.000001\n', 's.yaml');
      } catch (e) {
        return e as ScenarioError;
      }
      throw new Error('accepted');
    })();
    expect(slot.message).toBe('s.yaml:2: slotMs: must be in 1..1000, got 0.000001');
    const rate = rejection({ channel: { link: { rateKbps: 0.000001 } } });
    expect(rate.message).toBe('r.yaml: channel.link.rateKbps: must be in 1..10000000, got 0.000001');
  });

  it('slot openings must come at least 0.5 ms apart on average', () => {
    expect(rejection({ channel: { link: { slot: { minMs: 0.001 } } } }).message).toMatch(/channel\.link\.slot\.minMs: must be in 1\.\.10000 without maxMs/);
    expect(rejection({ channel: { link: { slot: { minMs: 0, maxMs: 0.5 } } } }).keyPath).toBe('channel.link.slot.maxMs');
    expect(scenarioFromObject({ channel: { link: { slot: { minMs: 0, maxMs: 1 } } } }, 'ok.yaml').config.channel.link.slot).toEqual({ minMs: 0, maxMs: 1 });
  });
});

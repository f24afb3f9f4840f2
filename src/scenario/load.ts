/**
 * Loading a scenario file (YAML or JSON): parse with line tracking, validate with the schema,
 * resolve paths, phases and variants. Every mistake becomes a ScenarioError naming the file,
 * the key path and the line, and saying what was expected.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import type { Phase } from '../channel/config.ts';
import { parseDurationMs } from '../core/duration.ts';
import { ScenarioError } from '../core/errors.ts';
import { ReceiverSchema, ScenarioSchema, SenderSchema, type ReceiverConfig, type ScenarioParsed, type SenderConfig } from './schema.ts';
import { browserKeyViolation, MIN_BROWSER_CALL_S } from './browser-keys.ts';
import { formatPath, lineOfPath } from './yaml-locate.ts';

export const PROJECT_ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');

export interface ResolvedVariant {
  name: string;
  description: string;
  sender: SenderConfig;
  receiver: ReceiverConfig;
}

export interface Scenario {
  /** The file it came from (absolute), or '<inline>'. */
  file: string;
  baseDir: string;
  name: string;
  config: ScenarioParsed & { name: string };
  phases: Phase[];
  variants: ResolvedVariant[];
  /** The source WAV, resolved to an absolute path. */
  sourceFile: string;
}

type Issue = z.core.$ZodIssue;

function describeIssue(i: Issue): string {
  switch (i.code) {
    case 'unrecognized_keys':
      return `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `'${k}'`).join(', ')} (a typo? see scenarios/scenario.schema.json)`;
    case 'invalid_type':
      return `expected ${i.expected}${'input' in i && i.input !== undefined ? `, got ${JSON.stringify(i.input)}` : ''}`;
    case 'too_small':
      return `must be ${i.inclusive === false ? '>' : '>='} ${String(i.minimum)}${'input' in i && i.input !== undefined ? `, got ${JSON.stringify(i.input)}` : ''}`;
    case 'too_big':
      return `must be ${i.inclusive === false ? '<' : '<='} ${String(i.maximum)}${'input' in i && i.input !== undefined ? `, got ${JSON.stringify(i.input)}` : ''}`;
    case 'invalid_value':
      return `expected one of ${i.values.map((v) => JSON.stringify(v)).join(', ')}${'input' in i ? `, got ${JSON.stringify(i.input)}` : ''}`;
    case 'invalid_union': {
      const firstNested = (i.errors ?? []).flat()[0];
      return firstNested ? describeIssue(firstNested) : i.message;
    }
    default:
      return i.message;
  }
}

/** The deepest, most specific issue path (for unions, descend into the first alternative's issue). */
function flattenIssue(i: Issue): { path: PropertyKey[]; issue: Issue } {
  if (i.code === 'invalid_union' && i.errors && i.errors.length > 0) {
    // Prefer the alternative whose discriminant matched: the one with the fewest issues.
    const best = [...i.errors].sort((a, b) => a.length - b.length)[0];
    if (best && best.length > 0) {
      const inner = flattenIssue(best[0]);
      return { path: [...i.path, ...inner.path], issue: inner.issue };
    }
  }
  return { path: [...i.path], issue: i };
}

export function parseScenarioText(text: string, file: string): Scenario {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line;
    throw new ScenarioError(file, '', line, `invalid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${e.message.split('\n')[0]}`);
  }
  let raw: unknown;
  try {
    // Unresolved aliases and alias bombs throw here (yaml's maxAliasCount guard), not in parseDocument.
    raw = doc.toJS() as unknown;
  } catch (e) {
    throw new ScenarioError(file, '', null, `invalid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ScenarioError(file, '', 1, 'expected a mapping of scenario keys at the top level');
  }
  return scenarioFromObject(raw as Record<string, unknown>, file, (path, unknownKey) => lineOfPath(doc, lc, path, unknownKey));
}

/** Where a key path sits in the source text (its line), when there is a source text. */
export type LineLocator = (path: ReadonlyArray<PropertyKey>, unknownKey?: string) => number | null;

/**
 * A scenario from an already-parsed object: validation, defaults, phases and variants. Used
 * directly for objects the program built itself (sweep points), which have no text and so no
 * lines; errors still name the file and the key path.
 */
export function scenarioFromObject(raw: Record<string, unknown>, file: string, locate: LineLocator = () => null): Scenario {
  const fail = (path: ReadonlyArray<PropertyKey>, detail: string, unknownKey?: string): never => {
    throw new ScenarioError(file, formatPath(path), locate(path, unknownKey), detail);
  };
  const parsed = ScenarioSchema.safeParse(raw);
  if (!parsed.success) {
    const { path, issue } = flattenIssue(parsed.error.issues[0]);
    const unknown = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    return fail(path, describeIssue(issue), unknown);
  }
  const cfg = parsed.data;
  const baseDir = file === '<inline>' ? process.cwd() : dirname(resolve(file));
  const name = cfg.name ?? (file === '<inline>' ? 'inline' : basename(file).replace(/\.(ya?ml|json)$/i, ''));
  const durationMs = cfg.durationS * 1000;

  const phases: Phase[] = cfg.phases.map((p, i) => {
    const atMs = parseDurationMs(p.at);
    const forMs = parseDurationMs(p.for);
    if (atMs === null || atMs < 0) return fail(['phases', i, 'at'], `expected a duration like "30s" or "300ms", got ${JSON.stringify(p.at)}`);
    if (forMs === null || forMs <= 0) return fail(['phases', i, 'for'], `expected a positive duration like "5s", got ${JSON.stringify(p.for)}`);
    if (atMs >= durationMs) return fail(['phases', i, 'at'], `phase starts at ${atMs / 1000} s, after the call ends (durationS ${cfg.durationS})`);
    if (atMs + forMs > durationMs) return fail(['phases', i, 'for'], `phase ends at ${(atMs + forMs) / 1000} s, after the call ends (durationS ${cfg.durationS})`);
    const rampMs = p.transition === 'linear' ? (p.rampMs ?? forMs * 0.2) : 0;
    if (rampMs * 2 > forMs) return fail(['phases', i, 'rampMs'], `ramp in and out (2 x ${rampMs} ms) is longer than the phase (${forMs} ms)`);
    return { atMs, forMs, set: p.set, transition: p.transition, rampMs, direction: p.direction, label: p.label ?? `phase ${i + 1}` };
  });

  const baseSender = (raw.sender ?? {}) as Record<string, unknown>;
  const baseReceiver = (raw.receiver ?? {}) as Record<string, unknown>;
  const variantsRaw = (raw.variants ?? []) as Array<Record<string, unknown>>;
  const variants: ResolvedVariant[] =
    cfg.variants.length === 0
      ? [{ name: 'default', description: '', sender: cfg.sender, receiver: cfg.receiver }]
      : cfg.variants.map((v, i) => {
          const vr = variantsRaw[i];
          const vs = (vr.sender ?? {}) as Record<string, unknown>;
          // Codec keys merge (a variant may change just `fec`); every other key replaces the scenario's.
          const senderRaw = { ...baseSender, ...vs, codec: { ...((baseSender.codec as object) ?? {}), ...((vs.codec as object) ?? {}) } };
          const receiverRaw = { ...baseReceiver, ...((vr.receiver as object) ?? {}) };
          const s = SenderSchema.safeParse(senderRaw);
          if (!s.success) return fail(['variants', i, 'sender', ...flattenIssue(s.error.issues[0]).path], describeIssue(flattenIssue(s.error.issues[0]).issue));
          const r = ReceiverSchema.safeParse(receiverRaw);
          if (!r.success) return fail(['variants', i, 'receiver', ...flattenIssue(r.error.issues[0]).path], describeIssue(flattenIssue(r.error.issues[0]).issue));
          return { name: v.name, description: v.description, sender: s.data, receiver: r.data };
        });
  variants.forEach((v, i) => {
    if (v.receiver.browser === null) return;
    if (cfg.durationS < MIN_BROWSER_CALL_S) fail(['durationS'], `a browser receiver needs a call of at least ${MIN_BROWSER_CALL_S} s to be measured (got ${cfg.durationS}; variant '${v.name}')`);
    const vr = cfg.variants.length ? variantsRaw[i] : {};
    const own = (k: 'sender' | 'receiver') => (cfg.variants.length ? [{ path: ['variants', i, k] as PropertyKey[], raw: ((vr[k] ?? {}) as Record<string, unknown>) }] : []);
    // The scenario's own blocks count only when the scenario itself asks for the browser.
    const baseIsBrowser = baseReceiver.browser !== undefined && baseReceiver.browser !== null;
    const baseReceiverBlock = baseIsBrowser ? [{ path: ['receiver'] as PropertyKey[], raw: baseReceiver }] : [];
    const senderBlocks = [...own('sender'), { path: ['sender'] as PropertyKey[], raw: baseSender }];
    const bad = browserKeyViolation([...own('receiver'), ...baseReceiverBlock], v.sender as unknown as Record<string, unknown>, senderBlocks);
    if (bad) fail(bad.path, bad.detail);
  });
  const seen = new Set<string>();
  variants.forEach((v, i) => {
    if (seen.has(v.name)) fail(['variants', i, 'name'], `duplicate variant name '${v.name}'`);
    seen.add(v.name);
  });

  const sourceFile = resolveFile(cfg.source.file, baseDir);
  return { file, baseDir, name, config: { ...cfg, name }, phases, variants, sourceFile };
}

/** A path from a scenario: relative to the scenario's folder, else to the project root (for shipped fixtures). */
export function resolveFile(p: string, baseDir: string): string {
  const a = resolve(baseDir, p);
  if (existsSync(a)) return a;
  const b = resolve(PROJECT_ROOT, p);
  return existsSync(b) ? b : a;
}

export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioError(file, '', null, code === 'ENOENT' ? 'file not found' : `cannot read (${code})`);
  }
  return parseScenarioText(text, file);
}

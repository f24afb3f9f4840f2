/**
 * Loading a scenario file (YAML or JSON): parse with line tracking, validate with the schema,
 * resolve paths, phases and variants. Every mistake becomes a ScenarioError naming the file,
 * the key path and the line, and saying what was expected.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import type { Phase } from '../channel/config.ts';
import { parseDurationMs } from '../core/duration.ts';
import { ScenarioError, WavError } from '../core/errors.ts';
import { checkRiffWave } from '../source/wav-file.ts';
import { MAX_SCENARIO_BYTES, MAX_VARIANTS, ReceiverSchema, ScenarioSchema, SenderSchema, type ReceiverConfig, type ScenarioParsed, type SenderConfig } from './schema.ts';
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

/** A rejected value as the error shows it (bounded, so a huge string does not flood the line). */
function shown(i: Issue): string {
  if (i.code === 'invalid_type' && 'received' in i && i.received === 'NaN') return 'NaN';
  const text = typeof i.input === 'number' ? String(i.input) : JSON.stringify(i.input);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describeIssue(i: Issue): string {
  const got = 'input' in i && i.input !== undefined ? `, got ${shown(i)}` : '';
  // Messages the schema wrote itself (number ranges: src/core/number-range.ts) say the range.
  if (/^must be /.test(i.message)) return `${i.message}${got}`;
  switch (i.code) {
    case 'unrecognized_keys':
      return `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `'${k}'`).join(', ')} (a typo? see scenarios/scenario.schema.json)`;
    case 'invalid_type':
      return `expected ${i.expected}${got}`;
    case 'too_small':
      return `must be ${i.inclusive === false ? '>' : '>='} ${String(i.minimum)}${got}`;
    case 'too_big':
      return `must be ${i.inclusive === false ? '<' : '<='} ${String(i.maximum)}${got}`;
    case 'invalid_value':
      return `expected one of ${i.values.map((v) => JSON.stringify(v)).join(', ')}${got}`;
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
  // Characters, not bytes: a text of at most 1 Mi characters (files are capped by bytes when read).
  if (text.length > MAX_SCENARIO_BYTES) throw tooLarge(file, `${text.length} characters`);
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
  const locate: LineLocator = (path, unknownKey) => lineOfPath(doc, lc, path, unknownKey);
  const sc = scenarioFromObject(raw as Record<string, unknown>, file, locate);
  const written = (raw as { source?: { file?: unknown } }).source?.file !== undefined;
  checkSourceFile(sc, written ? locate(['source', 'file']) : null);
  return sc;
}

/**
 * The source WAV exists and starts with a RIFF/WAVE header. Checked when a file is loaded, so
 * every command (run, validate, sweep, check) names the scenario, `source.file` and its line
 * instead of failing mid-run with a bare path.
 */
function checkSourceFile(sc: Scenario, line: number | null): void {
  const problem = wavHeaderProblem(sc.sourceFile);
  if (problem !== null) throw new ScenarioError(sc.file, 'source.file', line, problem);
}

/** What is wrong with `file` as a WAV source (by its first 12 bytes), or null. */
function wavHeaderProblem(file: string): string | null {
  // Shown as the user can type it: relative to the working directory when inside it.
  const rel = relative(process.cwd(), file);
  const shown = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
  const head = Buffer.alloc(12);
  let got = 0;
  try {
    const fd = openSync(file, 'r');
    try {
      got = readSync(fd, head, 0, 12, 0);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `file not found: ${shown}` : `cannot read ${shown} (${code ?? (e as Error).message})`;
  }
  try {
    checkRiffWave(head.subarray(0, got), shown);
    return null;
  } catch (e) {
    if (!(e instanceof WavError)) throw e;
    const ext = extname(shown);
    const stem = shown.slice(0, shown.length - ext.length);
    const wav = ext.toLowerCase() === '.wav' ? `${stem}-pcm.wav` : `${stem}.wav`;
    return `${shown} is not a WAV file (no RIFF/WAVE header); convert it (e.g. ffmpeg -i ${shellQuote(shown)} ${shellQuote(wav)}) and set source.file to the WAV`;
  }
}

function shellQuote(p: string): string {
  return /^[\w./+-]+$/.test(p) ? p : `'${p.replaceAll("'", "'\\''")}'`;
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
  // Before the schema: validating 700k variants would take minutes and gigabytes before failing.
  if (Array.isArray(raw.variants) && raw.variants.length > MAX_VARIANTS) {
    fail(['variants', MAX_VARIANTS], `${raw.variants.length} variants; a scenario may have at most ${MAX_VARIANTS} (for a grid of settings use sweep:, which runs each point on its own)`);
  }
  const parsed = ScenarioSchema.safeParse(raw, { reportInput: true });
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
          const s = SenderSchema.safeParse(senderRaw, { reportInput: true });
          if (!s.success) return fail(['variants', i, 'sender', ...flattenIssue(s.error.issues[0]).path], describeIssue(flattenIssue(s.error.issues[0]).issue));
          const r = ReceiverSchema.safeParse(receiverRaw, { reportInput: true });
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
  return parseScenarioText(readScenarioFile(file), file);
}

function tooLarge(file: string, size: string): ScenarioError {
  return new ScenarioError(file, '', null, `too large (${size}); a scenario file may have at most ${MAX_SCENARIO_BYTES / 1024} KiB (${MAX_SCENARIO_BYTES} bytes): put long traces in replay or link-trace files, grids in sweep:`);
}

/** The file's text, read at most MAX_SCENARIO_BYTES + 1 bytes (a device or a huge file never fills memory). */
function readScenarioFile(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioError(file, '', null, code === 'ENOENT' ? 'file not found' : `cannot read (${code})`);
  }
  const buf = Buffer.alloc(MAX_SCENARIO_BYTES + 1);
  let n = 0;
  try {
    const st = fstatSync(fd);
    if (st.isFile() && st.size > MAX_SCENARIO_BYTES) throw tooLarge(file, `${st.size} bytes`);
    for (let got = -1; got !== 0 && n < buf.length; n += got) got = readSync(fd, buf, n, buf.length - n, null);
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    throw new ScenarioError(file, '', null, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  } finally {
    closeSync(fd);
  }
  if (n > MAX_SCENARIO_BYTES) throw tooLarge(file, `more than ${MAX_SCENARIO_BYTES} bytes`);
  return buf.toString('utf8', 0, n);
}

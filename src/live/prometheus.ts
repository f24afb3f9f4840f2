/**
 * A minimal Prometheus registry rendering the text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): `# HELP`, `# TYPE`, then one
 * sample per label set. Label values escape backslash, double quote and newline; HELP text
 * escapes backslash and newline.
 */
import { JitterlabError } from '../core/errors.ts';

export type Labels = Readonly<Record<string, string>>;

/** Every counter's samples by metric name: what another thread's registry adds to this one's (render). */
export type CounterSnapshot = Record<string, Array<{ labels: Labels; value: number }>>;

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples(): Array<{ labels: Labels; value: number }>;
}

/** Samples of one family summed with the same family's samples from other registries, by label set. */
function merged(own: Array<{ labels: Labels; value: number }>, others: Array<Array<{ labels: Labels; value: number }> | undefined>): Array<{ labels: Labels; value: number }> {
  if (others.every((o) => o === undefined)) return own;
  const out = new Map<string, { labels: Labels; value: number }>();
  for (const list of [own, ...others]) {
    for (const s of list ?? []) {
      const k = labelKey(s.labels);
      const cur = out.get(k);
      if (cur) cur.value += s.value;
      else out.set(k, { labels: s.labels, value: s.value });
    }
  }
  return [...out.values()];
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function labelKey(labels: Labels): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();

  inc(labels: Labels = {}, by = 1): void {
    this.handle(labels).value += by;
  }

  /** The series of one label set, to increment on a hot path without re-keying the labels. */
  handle(labels: Labels = {}): { value: number } {
    const k = labelKey(labels);
    let cur = this.values.get(k);
    if (!cur) {
      cur = { labels: { ...labels }, value: 0 };
      this.values.set(k, cur);
    }
    return cur;
  }

  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels))?.value ?? 0;
  }

  /** Sum over every label set. */
  total(): number {
    let s = 0;
    for (const v of this.values.values()) s += v.value;
    return s;
  }

  samples(): Array<{ labels: Labels; value: number }> {
    return [...this.values.values()];
  }
}

export class MetricRegistry {
  private readonly families: Family[] = [];

  private add(f: Family): void {
    if (!NAME_RE.test(f.name)) throw new JitterlabError('internal', `bad metric name ${f.name}`);
    if (this.families.some((x) => x.name === f.name)) throw new JitterlabError('internal', `metric ${f.name} registered twice`);
    this.families.push(f);
  }

  counter(name: string, help: string): Counter {
    const c = new Counter();
    this.add({ name, help, type: 'counter', samples: () => c.samples() });
    return c;
  }

  /** A gauge read when the registry is rendered. */
  gauge(name: string, help: string, collect: () => Array<{ labels: Labels; value: number }> | number): void {
    this.add({
      name,
      help,
      type: 'gauge',
      samples: () => {
        const v = collect();
        return typeof v === 'number' ? [{ labels: {}, value: v }] : v;
      },
    });
  }

  /** The counters' samples now (plain data, for another thread's render). */
  counterSnapshot(): CounterSnapshot {
    const out: CounterSnapshot = {};
    for (const f of this.families) if (f.type === 'counter') out[f.name] = f.samples().map((s) => ({ labels: { ...s.labels }, value: s.value }));
    return out;
  }

  /** The text exposition; counters add the samples of `others` (the same metrics counted on other threads). */
  render(others: CounterSnapshot[] = []): string {
    const out: string[] = [];
    for (const f of this.families) {
      out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`);
      out.push(`# TYPE ${f.name} ${f.type}`);
      const samples = f.type === 'counter' ? merged(f.samples(), others.map((o) => o[f.name])) : f.samples();
      for (const s of samples) {
        const keys = Object.keys(s.labels).filter((k) => LABEL_RE.test(k));
        const lbl = keys.length ? `{${keys.map((k) => `${k}="${escapeLabel(s.labels[k])}"`).join(',')}}` : '';
        out.push(`${f.name}${lbl} ${formatValue(s.value)}`);
      }
    }
    return `${out.join('\n')}\n`;
  }
}

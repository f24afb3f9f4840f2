/**
 * A minimal Prometheus registry rendering the text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): `# HELP`, `# TYPE`, then one
 * sample per label set. Label values escape backslash, double quote and newline; HELP text
 * escapes backslash and newline.
 */
import { JitterlabError } from '../core/errors.ts';

export type Labels = Readonly<Record<string, string>>;

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples(): Array<{ labels: Labels; value: number }>;
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

  render(): string {
    const out: string[] = [];
    for (const f of this.families) {
      out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`);
      out.push(`# TYPE ${f.name} ${f.type}`);
      for (const s of f.samples()) {
        const keys = Object.keys(s.labels).filter((k) => LABEL_RE.test(k));
        const lbl = keys.length ? `{${keys.map((k) => `${k}="${escapeLabel(s.labels[k])}"`).join(',')}}` : '';
        out.push(`${f.name}${lbl} ${formatValue(s.value)}`);
      }
    }
    return `${out.join('\n')}\n`;
  }
}

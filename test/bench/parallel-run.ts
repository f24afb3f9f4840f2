/**
 * The row for a run with many variants: `jitterlab run scenarios/compare-buffers.yaml`
 * (14 variants x 30 s, ViSQOL on, HTML) as a user runs it, a fresh process each time, wall clock
 * from start to exit: in one thread (--jobs 0: scores after the run, one variant after the
 * other, as before scoring had worker threads) and on every core (the default). Measured in one
 * run, interleaved, with the machine's load average beside each figure; the two results.json
 * must be the same bytes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunWall {
  jobs: number | null;
  wallS: number;
  load: number;
  results: string;
}

function runOnce(root: string, out: string, jobs: number | null): RunWall {
  const load = loadavg()[0];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'src', 'cli', 'jitterlab.js'), 'run', 'scenarios/compare-buffers.yaml', '--out', out, ...(jobs === null ? [] : ['--jobs', String(jobs)])], { cwd: root, encoding: 'utf8' });
  const wallS = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`jitterlab run failed (${r.status}): ${r.stderr}`);
  return { jobs, wallS, load, results: readFileSync(join(out, 'results.json'), 'utf8') };
}

/** `reps` pairs (all cores, then one thread), each in a fresh directory; returns the lines to print. */
export function compareBuffersWall(root: string, reps: number): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'jitterlab-bench-cb-'));
  const cores = availableParallelism();
  try {
    const pairs: Array<{ par: RunWall; one: RunWall }> = [];
    for (let i = 0; i < reps; i++) pairs.push({ par: runOnce(root, join(dir, `par-${i}`), null), one: runOnce(root, join(dir, `one-${i}`), 0) });
    const same = pairs.every((p) => p.par.results === p.one.results && p.par.results === pairs[0].par.results);
    const f = (w: RunWall) => `${w.wallS.toFixed(1)} s (load ${w.load.toFixed(1)})`;
    const lines = pairs.map((p, i) => `compare-buffers run ${i + 1}: one thread (--jobs 0) ${f(p.one)}, ${cores} cores ${f(p.par)}: ${(p.one.wallS / p.par.wallS).toFixed(2)}x`);
    const best = Math.min(...pairs.map((p) => p.par.wallS));
    lines.push(`jitterlab run scenarios/compare-buffers.yaml (14 variants x 30 s, scores, HTML): ${best.toFixed(1)} s wall on ${cores} cores (best of ${reps}; goal <= 8 s), ${pairs.map((p) => (p.one.wallS / p.par.wallS).toFixed(2)).join(' / ')}x faster than one thread; results.json identical: ${same ? 'yes' : 'NO'}`);
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `npm run bench:sweep`: sweep throughput in simulated audio seconds per CPU second and per wall
 * second, its scaling from 1 worker thread to all cores (issue goal: >= 1.8x on 2 cores), and
 * the saving of shared encodings (one encode per sender setting, shared-encodings.ts) against
 * every point encoding its own audio.
 *
 *   npm run bench:sweep                 # 20 s calls, 48 settings x 10 seeds = 480 points
 *   npm run bench:sweep -- --quick      # 5 s calls, 16 points
 *   npm run bench:sweep -- --long       # 60 s calls, 480 points (start-up and JIT warm-up amortized)
 *
 * CPU time is the whole process (all threads) from process.cpuUsage(); worker start-up (loading
 * the bundled worker, worker-bundle.ts) is included, as a user pays it. Scaling is shown for the
 * whole sweep and for its steady state: each worker thread is a separate V8 isolate that compiles
 * the simulator again on the same cores (~0.5 s of optimizing-compiler time per thread), a fixed
 * cost that a longer sweep amortizes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { planSweep } from '../../src/sweep/plan.ts';
import { runSweep } from '../../src/sweep/run-sweep.ts';
import { benchCallYaml } from './bench-call.ts';

const quick = process.argv.includes('--quick');
const durationS = process.argv.includes("--long") ? 60 : quick ? 5 : 20;
const lossValues = quick ? '0,0.02,0.05,0.1' : '0,0.01,0.02,0.03,0.05,0.07,0.1,0.15';
const jitterValues = quick ? '0,10,20,40' : '0,5,10,20,30,40';
const cores = availableParallelism();

const dir = mkdtempSync(join(tmpdir(), 'jitterlab-bench-sweep-'));
const file = join(dir, 'bench.yaml');
writeFileSync(
  file,
  `${benchCallYaml('bench-sweep', durationS)}receiver:
  jitterBuffer: { type: fixed, delayMs: 60 }
`,
);
// Large enough that per-thread start-up (~0.5 s of module loading) does not hide the scaling.
const plan = planSweep(file, { vary: [`channel.loss.rate=${lossValues}`, `channel.delay.jitterMs=${jitterValues}`], seeds: quick ? 1 : 10 });

interface Measured {
  label: string;
  jobs: number;
  wallS: number;
  cpuS: number;
  simulatedS: number;
  /** Wall seconds for the last 75% of the points: throughput once every thread has warmed up. */
  steadyS: number;
  /** Wall seconds until the first point finished (start-up: planning, encoding, loading workers). */
  firstS: number;
}

async function measure(label: string, jobs: number, shareEncodings: boolean): Promise<Measured> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const quarter = Math.floor(plan.points.length / 4);
  let tQuarter = 0;
  let tFirst = 0;
  let tLast = 0;
  const onProgress = (done: number, todo: number): void => {
    const t = performance.now();
    if (done === 1) tFirst = t;
    if (done === quarter) tQuarter = t;
    if (done === todo) tLast = t;
  };
  const out = await runSweep(plan, { outDir: join(dir, `${label}-${jobs}`), jobs, shareEncodings, onProgress });
  const wallS = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  if (out.report.status !== 'complete') throw new Error(`bench sweep ${label} did not complete: ${out.report.status}`);
  return { label, jobs, wallS, cpuS: (c.user + c.system) / 1e6, simulatedS: out.simulatedS, steadyS: (tLast - tQuarter) / 1000, firstS: (tFirst - t0) / 1000 };
}

const rows: Measured[] = [];
rows.push(await measure('in-thread', 0, true));
rows.push(await measure('workers', 1, true));
if (cores > 1) rows.push(await measure('workers', cores, true));
rows.push(await measure('workers-no-sharing', cores, false));

const f = (x: number, d = 1) => x.toFixed(d);
process.stdout.write(`sweep bench: ${plan.points.length} points x ${durationS} s calls, ${cores} core(s)\n\n`);
process.stdout.write('mode                 jobs   wall s   CPU s   audio s/CPU s   audio s/wall s   first point s\n');
for (const r of rows) {
  process.stdout.write(
    `${r.label.padEnd(20)} ${String(r.jobs).padStart(4)} ${f(r.wallS, 2).padStart(8)} ${f(r.cpuS, 2).padStart(7)} ${f(r.simulatedS / r.cpuS).padStart(15)} ${f(r.simulatedS / r.wallS).padStart(16)} ${f(r.firstS, 2).padStart(15)}\n`,
  );
}
const one = rows.find((r) => r.label === 'workers' && r.jobs === 1)!;
const all = rows.find((r) => r.label === 'workers' && r.jobs === cores) ?? one;
const noShare = rows.find((r) => r.label === 'workers-no-sharing')!;
process.stdout.write(`\nscaling 1 -> ${cores} workers, whole sweep (wall): ${f(one.wallS / all.wallS, 2)}x  (goal >= 1.8x)\n`);
process.stdout.write(`scaling 1 -> ${cores} workers, steady throughput (last 75% of points, after every thread's JIT warm-up): ${f(one.steadyS / all.steadyS, 2)}x\n`);
process.stdout.write(`shared-encoding saving (CPU s without sharing / with): ${f(noShare.cpuS / all.cpuS, 2)}x; wall: ${f(noShare.wallS / all.wallS, 2)}x\n`);
rmSync(dir, { recursive: true, force: true });

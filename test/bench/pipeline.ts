/**
 * `npm run bench`: the cost of the simulation pipeline against the physical floor, a bare loop
 * that only encodes and decodes the same audio with @discordjs/opus, measured in one run on the
 * same machine. Also: the codec work the report files need (the same loop with a second decoder:
 * degraded.wav and reference.wav are two decodes of one encoding), the cost of an extra
 * receive-only variant, the first run in a fresh process, the scores and HTML on top of the
 * pipeline (in this process, first and again, and in fresh processes as `jitterlab run` pays
 * them), `jitterlab score` of a one-minute pair as a real-time factor, peak RSS of a 1-hour call,
 * and the wall time of a 14-variant run in one thread and on every core.
 *
 *   npm run bench                 # 120 s of audio per measurement, 1-hour RSS run
 *   npm run bench -- --quick      # 30 s, RSS run of 10 min
 *   npm run bench -- --reps 5     # median of 5 interleaved runs (default 3)
 *   npm run bench -- --run-reps 3 # 3 pairs of compare-buffers runs (default 1)
 *
 * Last, `jitterlab run scenarios/compare-buffers.yaml` in fresh processes, wall clock, in one
 * thread and on every core (parallel-run.ts).
 * Both loops run in plain Node from the CLI's bundle (src/cli/app-bundle.ts), as `jitterlab run` does.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentileSorted } from '../../src/metrics/percentile.ts';
import { benchCallYaml } from './bench-call.ts';
import { benchApp } from './in-bundle.ts';
import { compareBuffersWall } from './parallel-run.ts';

const { AudioSource, parseScenarioText, PROJECT_ROOT, runToReport, scoreFiles, scoreWorkerBundle } = await benchApp(import.meta.url, 'bench-pipeline');

const require = createRequire(join(PROJECT_ROOT, 'package.json'));
const quick = process.argv.includes('--quick');
const rssChild = process.argv.includes('--rss-child');
const scoresChild = process.argv.includes('--scores-child');
const seconds = quick ? 30 : 120;
const repsArg = process.argv.indexOf('--reps');
const reps = repsArg > 0 ? Math.max(1, Number(process.argv[repsArg + 1])) : 3;
const cbRepsArg = process.argv.indexOf('--run-reps');
const cbReps = cbRepsArg > 0 ? Math.max(1, Number(process.argv[cbRepsArg + 1])) : 1;
const WARMUP_RUNS = 12;
const WARMUP_SECONDS = 10;

function scenarioText(durationS: number, variants: number, visqol = false): string {
  const v =
    variants > 1
      ? `variants:\n${Array.from({ length: variants }, (_, i) => `  - { name: v${i}, receiver: { jitterBuffer: { type: fixed, delayMs: ${60 + 20 * i} } } }`).join('\n')}\n`
      : '';
  return `${benchCallYaml('bench', durationS)}report: { html: false, visqol: ${visqol} }
${v}`;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * The bare loop: read the audio, encode every frame and decode it (`decodes` = 1). With
 * `decodes` = 2 a second decoder decodes every packet as well: the codec work of the report files,
 * whose degraded.wav and reference.wav are two decodes of one encoding.
 */
function codecLoop(durationS: number, decodes: 1 | 2 = 1): number {
  const { OpusEncoder } = require('@discordjs/opus') as {
    OpusEncoder: new (r: number, c: number) => { encode(b: Buffer): Buffer; decode(b: Buffer): Buffer; applyEncoderCTL(c: number, v: number): void; setBitrate(b: number): void };
  };
  // Reading the audio is part of both measurements.
  const t0 = cpuMs();
  const src = AudioSource.fromWav(join(PROJECT_ROOT, 'fixtures/speech-48k.wav'), { file: '', loop: true, offsetS: 0, gainDb: 0 }, 48000);
  const enc = new OpusEncoder(48000, 1);
  enc.applyEncoderCTL(4000, 2048);
  enc.setBitrate(24000);
  enc.applyEncoderCTL(4010, 5);
  enc.applyEncoderCTL(4012, 1);
  enc.applyEncoderCTL(4014, 10);
  const second = decodes === 2 ? new OpusEncoder(48000, 1) : null;
  const frame = new Int16Array(960);
  const frames = (durationS * 1000) / 20;
  for (let i = 0; i < frames; i++) {
    src.frame(i, frame);
    const p = enc.encode(Buffer.from(frame.buffer));
    enc.decode(p);
    second?.decode(p);
  }
  return cpuMs() - t0;
}

/**
 * The pipeline: read the WAV, encode, packetize, channel, jitter buffer, decode with PLC/FEC,
 * metrics, and the report files (results.json, packets.csv, degraded.wav, reference.wav — the
 * reference is a second, loss-free decode the bare loop does not do). Quality scores and the HTML
 * page are analysis on top and are timed separately (`scored`).
 */
async function pipeline(durationS: number, variants: number, scored = false, visqol = false): Promise<number> {
  return (await timedRun(durationS, variants, scored, visqol)).total;
}

/**
 * CPU ms of one `jitterlab run` of the bench call (this process, every thread): in all, and of
 * what follows the simulation and its files (scores and HTML when `scored`; with one variant they
 * run in this thread after the simulation, report/score-pool.ts; results.json, a few ms, is
 * written there with or without them).
 */
async function timedRun(durationS: number, variants: number, scored: boolean, visqol = false): Promise<{ total: number; afterSimulation: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'jitterlab-bench-'));
  try {
    const sc = parseScenarioText(scenarioText(durationS, variants, visqol), join(PROJECT_ROOT, 'scenarios', 'bench.yaml'));
    const t0 = cpuMs();
    let simulated = Number.NaN;
    await runToReport(sc, { outDir: join(dir, 'out'), scores: scored, html: scored, afterSimulation: () => (simulated = cpuMs()) });
    const end = cpuMs();
    return { total: end - t0, afterSimulation: end - simulated };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Seconds of the pair `jitterlab score` is timed on (the reference: a one-minute pair). */
const VISQOL_PAIR_S = 60;

/**
 * `jitterlab score` (ViSQOL speech mode and the sanity measures) of a pair this call simulated:
 * CPU ms of the first scoring in this process (what the command pays, compilation included) and
 * of a second one.
 */
async function scorePairCpu(durationS: number): Promise<{ first: number; second: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'jitterlab-bench-'));
  try {
    const sc = parseScenarioText(scenarioText(durationS, 1), join(PROJECT_ROOT, 'scenarios', 'bench.yaml'));
    const out = join(dir, 'out');
    await runToReport(sc, { outDir: out, scores: false, html: false });
    const time = () => {
      const t0 = cpuMs();
      scoreFiles(join(out, 'reference.wav'), join(out, 'degraded.wav'));
      return cpuMs() - t0;
    };
    const first = time();
    return { first, second: time() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * This bundled script again in a fresh process (the environment names the app bundle) with
 * `args`: the JSON object it prints, or null (the failure reported as `what`).
 */
function childJson<T>(args: string[], what: string): T | null {
  const child = spawnSync(process.execPath, [process.argv[1], ...args], { encoding: 'utf8', cwd: PROJECT_ROOT });
  const m = /\{.*\}/.exec(child.stdout ?? '');
  if (child.status !== 0 || !m) {
    process.stdout.write(`${what} failed: ${child.stderr}\n`);
    process.exitCode = 1;
    return null;
  }
  return JSON.parse(m[0]) as T;
}

/** CPU ms of the scores and HTML of a `jitterlab run` of the bench call, each in a fresh process. */
function freshScoresCpu(runs: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = childJson<{ afterSimulation: number }>(['--scores-child', ...(quick ? ['--quick'] : [])], 'scores run in a fresh process');
    if (!r) return [];
    out.push(r.afterSimulation);
  }
  return out;
}

async function main(): Promise<void> {
  if (scoresChild) {
    // What `jitterlab run` of the call pays for its scores and HTML: one simulation in a fresh process, then them.
    const { afterSimulation } = await timedRun(seconds, 1, true);
    process.stdout.write(`${JSON.stringify({ afterSimulation })}\n`);
    return;
  }
  if (rssChild) {
    const s = Number(process.argv[process.argv.indexOf('--rss-child') + 1]);
    // The whole `jitterlab run`: simulation, report files, scores (ViSQOL included) and HTML.
    const cpu = await pipeline(s, 1, true, true);
    process.stdout.write(`${JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024, cpuMs: cpu })}\n`);
    return;
  }
  process.stdout.write(`jitterlab bench: ${seconds} s of speech, Opus 24 kbit/s complexity 5, 20 ms frames; median of ${reps} interleaved runs after warm-up\n`);
  // The first run in this process pays V8's compilation of the pipeline (what a single
  // `jitterlab run` pays on top of its simulation); it is shown, not counted in the ratio.
  codecLoop(seconds, 2);
  const cold = await pipeline(seconds, 1);
  // Warm-up to steady state: V8 keeps optimizing functions that run once per call (setup,
  // runVariant) for a dozen runs, and a long loop only on the stack (OSR); short runs get there
  // as well as long ones. Then the measurements are interleaved so drift hits all of them alike.
  for (let w = 0; w < WARMUP_RUNS; w++) {
    codecLoop(WARMUP_SECONDS, 1);
    codecLoop(WARMUP_SECONDS, 2);
    await pipeline(WARMUP_SECONDS, 1);
    await pipeline(WARMUP_SECONDS, 2);
  }
  const runs = { bare: [] as number[], codec: [] as number[], one: [] as number[], two: [] as number[] };
  for (let r = 0; r < reps; r++) {
    runs.bare.push(codecLoop(seconds, 1));
    runs.codec.push(codecLoop(seconds, 2));
    runs.one.push(await pipeline(seconds, 1));
    runs.two.push(await pipeline(seconds, 2));
  }
  // Scores and HTML are analysis on top of the pipeline: the first run with them pays their
  // compilation, as a single `jitterlab run` does; a second shows them warm.
  const withScores = await timedRun(seconds, 1, true);
  const withScoresWarm = await timedRun(seconds, 1, true);
  const visqol = await scorePairCpu(VISQOL_PAIR_S);
  const median = (xs: number[]) => percentileSorted([...xs].sort((a, b) => a - b), 0.5);
  const bare = median(runs.bare);
  const codec = median(runs.codec);
  const one = median(runs.one);
  const two = median(runs.two);
  process.stdout.write(`runs (ms CPU): bare ${runs.bare.map((x) => x.toFixed(0)).join(' ')} | codec work ${runs.codec.map((x) => x.toFixed(0)).join(' ')} | pipeline ${runs.one.map((x) => x.toFixed(0)).join(' ')} | 2 variants ${runs.two.map((x) => x.toFixed(0)).join(' ')}\n`);
  const rt = (ms: number) => ((seconds * 1000) / ms).toFixed(0);
  process.stdout.write(`bare encode+decode loop  ${bare.toFixed(0).padStart(7)} ms CPU  (${rt(bare)}x real time)\n`);
  process.stdout.write(`codec work of the files  ${codec.toFixed(0).padStart(7)} ms CPU  (encode, and decode twice: degraded.wav and reference.wav)\n`);
  process.stdout.write(`pipeline, 1 variant      ${one.toFixed(0).padStart(7)} ms CPU  (${rt(one)}x real time)\n`);
  process.stdout.write(`pipeline, 2 variants     ${two.toFixed(0).padStart(7)} ms CPU\n`);
  process.stdout.write(`pipeline, first run      ${cold.toFixed(0).padStart(7)} ms CPU  (cold: includes V8 compiling the pipeline; not in the ratio)\n`);
  process.stdout.write(`pipeline + scores + HTML ${withScores.total.toFixed(0).padStart(7)} ms CPU  (E-model, sanity measures, HTML; ViSQOL off here)\n`);
  process.stdout.write(`scores + HTML alone      ${withScores.afterSimulation.toFixed(0).padStart(7)} ms CPU  (measured from the end of the simulation, first in this process; again: ${withScoresWarm.afterSimulation.toFixed(0)} ms; the line above less the pipeline's median: ${(withScores.total - one).toFixed(0)} ms; goal <= 500 for 120 s)\n`);
  const rtVisqol = (ms: number) => ((VISQOL_PAIR_S * 1000) / ms).toFixed(1);
  process.stdout.write(`jitterlab score, ${VISQOL_PAIR_S} s pair ${visqol.first.toFixed(0).padStart(7)} ms CPU  (${rtVisqol(visqol.first)}x real time, first in this process; again: ${visqol.second.toFixed(0)} ms, ${rtVisqol(visqol.second)}x; goal >= 40x)\n`);
  process.stdout.write(`ratio pipeline / bare loop: ${(one / bare).toFixed(3)}  (goal <= 1.15)\n`);
  process.stdout.write(`ratio pipeline / codec work of its files: ${(one / codec).toFixed(3)}  (what the simulation adds to the codec calls it must make)\n`);
  process.stdout.write(`extra receive-only variant: ${((two - one) / one).toFixed(3)} of the first  (goal < 0.20)\n`);
  const fresh = freshScoresCpu(3);
  if (fresh.length) {
    const sorted = [...fresh].sort((a, b) => a - b);
    process.stdout.write(`scores + HTML, fresh run ${median(fresh).toFixed(0).padStart(7)} ms CPU  (a new process simulating the call once, then scoring it, as \`jitterlab run\` does: ${sorted.map((x) => x.toFixed(0)).join(', ')} ms in 3 processes; goal <= 500)\n`);
  }
  const rssSeconds = quick ? 600 : 3600;
  const rss = childJson<{ maxRssMb: number; cpuMs: number }>(['--rss-child', String(rssSeconds)], 'peak RSS run');
  if (!rss) return;
  const { maxRssMb, cpuMs: rssCpu } = rss;
  process.stdout.write(`peak RSS, ${rssSeconds / 60}-minute call, full run with scores and HTML: ${maxRssMb.toFixed(0)} MB  (goal < 400 MB; ${(rssCpu / 1000).toFixed(0)} s CPU)\n`);
  // Built before the first timed run, which would otherwise pay for it.
  await scoreWorkerBundle();
  for (const line of compareBuffersWall(PROJECT_ROOT, cbReps)) process.stdout.write(`${line}\n`);
}

await main();

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'jitterlab-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'src', 'cli', 'jitterlab.js'), ...args], { encoding: 'utf8', cwd: dir, timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function scenario(name: string, body: string): string {
  const f = join(dir, `${name}.yaml`);
  writeFileSync(f, body);
  return f;
}

describe('command line', () => {
  it('--help lists the commands', () => {
    const r = cli('--help');
    expect(r.code).toBe(0);
    for (const c of ['run', 'validate', 'schema']) expect(r.stdout).toContain(`jitterlab ${c}`);
  });

  it('validate: ok is 0; a scenario mistake is one line with file:line and exit 2', () => {
    const good = scenario('good', 'durationS: 2\n');
    expect(cli('validate', good).code).toBe(0);
    const bad = scenario('bad', 'durationS: 2\nchannel:\n  loss: { model: bernoulli, rate: 2 }\n');
    const r = cli('validate', bad);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/bad\.yaml:3: channel\.loss\.rate: must be in 0\.\.1, got 2$/);
  });

  it('runs a TypeScript jitter-buffer module that sits outside any package (tsx loads it after the bundle)', () => {
    // The shipped JavaScript example is valid TypeScript; in a folder without package.json, Node
    // treats the .ts file as CommonJS.
    const ts = join(dir, 'ts-module');
    mkdirSync(ts, { recursive: true });
    writeFileSync(join(ts, 'my-buffer.ts'), readFileSync(join(PROJECT_ROOT, 'examples', 'my-buffer.js')));
    const f = join(ts, 'ts-module.yaml');
    writeFileSync(
      f,
      `durationS: 2\nsource: { file: ${join(PROJECT_ROOT, 'fixtures', 'speech-48k.wav')} }\nreceiver: { jitterBuffer: { module: ./my-buffer.ts, options: { percentile: 0.9 } } }\nreport: { html: false, visqol: false }\n`,
    );
    const r = cli('run', f, '--out', join(ts, 'out'), '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const results = JSON.parse(r.stdout) as { variants: unknown[] };
    expect(results.variants).toHaveLength(1);
    expect(JSON.stringify(results.variants[0])).toContain('my-buffer.ts');
  });

  it('validate checks what a run would load: jitter-buffer modules, replay files, the source WAV', () => {
    const mod = scenario('mod', 'durationS: 2\nreceiver: { jitterBuffer: { module: ./nope.js } }\n');
    let r = cli('validate', mod);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mod\.yaml: jitterBuffer\.module: cannot load \.\/nope\.js/);
    const replay = scenario('replay', 'durationS: 2\nchannel: { replay: { format: csv, file: missing.csv } }\n');
    r = cli('validate', replay);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/replay\.yaml: .*missing\.csv/);
    const src = scenario('src', 'durationS: 2\nsource: { file: absent.wav }\n');
    r = cli('validate', src);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`jitterlab: ${src}:2: source.file: file not found: absent.wav\n`);
  });

  it('validate checks every file and prints every error, one line each; exit 2 if any failed', () => {
    const a = scenario('va', 'durationS: 2\nchannel:\n  loss: { model: bernoulli, rate: 1.5 }\n');
    const b = scenario('vb', 'durationS: 2\n');
    const c = scenario('vc', 'durationS: 2\nsource:\n  file: nothere.wav\n');
    const r = cli('validate', a, b, c);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(`${b}: ok (vb, 2 s, 1 variant(s), 0 phase(s))\n`);
    expect(r.stderr.split('\n')).toEqual([
      `jitterlab: ${a}:3: channel.loss.rate: must be in 0..1, got 1.5`,
      `jitterlab: ${c}:3: source.file: file not found: nothere.wav`,
      'jitterlab: 2 of 3 files have problems',
      '',
    ]);
    expect(cli('validate', b, b).code).toBe(0);
  });

  it('help of commands with several files shows no [default: []] beside [required]', () => {
    for (const c of ['validate', 'merge']) {
      const r = cli(c, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/\[array\] \[required\]\n/);
      expect(r.stdout).not.toMatch(/default: \[\]/);
    }
    expect(cli('merge', '--help').stdout).toMatch(/--out .*default reports\/<name>-sweep-merged/s);
  });

  it('an unknown command or a missing argument is a usage error (exit 2)', () => {
    expect(cli('frobnicate').code).toBe(2);
    expect(cli('run').code).toBe(2);
    expect(cli('run', 'x.yaml', '--seed', '-3').code).toBe(2);
  });

  it('a missing or non-WAV source names the scenario, source.file and its line (exit 2); an unwritable output fails with exit 1; no report is left', () => {
    const missing = scenario('missing', 'durationS: 1\nsource:\n  loop: false\n  file: nowhere.wav\n');
    let r = cli('run', missing, '--out', join(dir, 'out-missing'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`jitterlab: ${missing}:4: source.file: file not found: nowhere.wav\n`);
    expect(existsSync(join(dir, 'out-missing'))).toBe(false);

    writeFileSync(join(dir, 'text.wav'), 'not a wav');
    const notWav = scenario('notwav', 'durationS: 1\nsource: { file: text.wav }\n');
    r = cli('run', notWav, '--out', join(dir, 'out-notwav'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/notwav\.yaml:2: source\.file: text\.wav is not a WAV file .*ffmpeg -i text\.wav text-pcm\.wav/);
    expect(existsSync(join(dir, 'out-notwav'))).toBe(false);
    // A WAV header whose samples cannot be read (mu-law) fails at run, naming the scenario and the key.
    const n = 8000;
    const mulaw = Buffer.alloc(44 + n, 0xff);
    mulaw.write('RIFF', 0);
    mulaw.writeUInt32LE(36 + n, 4);
    mulaw.write('WAVEfmt ', 8);
    for (const [at, v, bytes] of [[16, 16, 4], [20, 7, 2], [22, 1, 2], [24, 8000, 4], [28, 8000, 4], [32, 1, 2], [34, 8, 2], [40, n, 4]]) mulaw.writeUIntLE(v, at, bytes);
    mulaw.write('data', 36);
    writeFileSync(join(dir, 'mulaw.wav'), mulaw);
    const mu = scenario('mulaw', 'durationS: 1\nsource: { file: mulaw.wav }\nreport: { html: false, visqol: false }\n');
    r = cli('run', mu, '--out', join(dir, 'out-mulaw'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`jitterlab: ${mu}: source.file: ${join(dir, 'mulaw.wav')}: unsupported WAV encoding (format tag 7); use PCM or float\n`);
    expect(existsSync(join(dir, 'out-mulaw'))).toBe(false);
    writeFileSync(join(dir, 'talk 1.mp3'), 'ID3\x03\x00\x00\x00\x00\x00\x00');
    r = cli('run', scenario('mp3', "durationS: 1\nsource: { file: 'talk 1.mp3' }\n"), '--out', join(dir, 'out-mp3'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mp3\.yaml:2: source\.file: talk 1\.mp3 is not a WAV file \(no RIFF\/WAVE header\); convert it \(e\.g\. ffmpeg -i 'talk 1\.mp3' 'talk 1\.wav'\) and set source\.file to the WAV\n$/);

    const ro = join(dir, 'readonly');
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    const ok = scenario('ok', 'durationS: 1\nreport: { html: false, visqol: false }\n');
    r = cli('run', ok, '--out', join(ro, 'sub', 'out'));
    chmodSync(ro, 0o700);
    if (process.getuid?.() !== 0) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/cannot/);
    }
    expect(readdirSync(ro).filter((f) => f.includes('staging'))).toEqual([]);
  });

  it('an unwritable output path (a file in the way) fails with exit 1', () => {
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'x');
    const ok = scenario('ok2', 'durationS: 1\nreport: { html: false, visqol: false }\n');
    const r = cli('run', ok, '--out', join(blocker, 'out'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/blocker\/out/);
  });

  it('merge without --out writes reports/<name>-sweep-merged/', () => {
    const name = `merge-default-${process.pid}`;
    const f = scenario(name, 'durationS: 1\nreport: { html: false, visqol: false }\n');
    for (const k of [1, 2]) expect(cli('sweep', f, '--vary', 'channel.loss.rate=0,0.1', '--jobs', '0', '--shard', `${k}/2`, '--out', join(dir, `shard${k}`)).code).toBe(0);
    const merged = join(PROJECT_ROOT, 'reports', `${name}-sweep-merged`);
    try {
      const r = cli('merge', join(dir, 'shard1'), join(dir, 'shard2'));
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`2/2 points from shards 1/2, 2/2 (complete). Report: ${merged}/sweep.html\n`);
      expect(existsSync(join(merged, 'sweep.html'))).toBe(true);
    } finally {
      rmSync(merged, { recursive: true, force: true });
    }
  });

  it('--vary key=0:1 (no step) explains the range syntax', () => {
    const f = scenario('vary', 'durationS: 1\n');
    const r = cli('sweep', f, '--vary', 'channel.loss.rate=0:1', '--jobs', '0', '--out', join(dir, 'vary-out'));
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      'jitterlab: --vary channel.loss.rate: "0:1" is not a range: a range is start:stop:step with numbers, stop included (e.g. 0:1:0.25 = 0,0.25,0.5,0.75,1); or list the values: v1,v2,...',
    );
    expect(existsSync(join(dir, 'vary-out'))).toBe(false);
  });

  it('run --json prints results.json and writes the report', () => {
    const ok = scenario('json', 'durationS: 2\nreport: { html: false, visqol: false }\nchannel: { loss: { model: bernoulli, rate: 0.05 } }\n');
    const r = cli('run', ok, '--json', '--out', join(dir, 'out-json'));
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.schemaVersion).toBe(1);
    expect(res.variants[0].network.mediaPacketsSent).toBe(100);
    expect(JSON.parse(readFileSync(join(dir, 'out-json', 'results.json'), 'utf8'))).toEqual(res);
  });
});

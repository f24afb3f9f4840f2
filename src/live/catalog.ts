/**
 * The presets and buffers the live page can choose from: every scenario file of the scenarios
 * folder that loads (plus --scenario), and every built-in jitter buffer the registry resolves
 * (with its schema defaults). The oracle buffer is left out: it needs the call's future.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { JitterBufferConfigSchema, type JitterBufferConfig } from '../jitter-buffer/config.ts';
import { resolveJitterBuffer, type JitterBufferMaker } from '../jitter-buffer/registry.ts';
import { loadScenario, type Scenario } from '../scenario/load.ts';
import { JitterlabError } from '../core/errors.ts';
import { LIVE_FRAME_MS, LIVE_SAMPLE_RATE, withJitterMs, withLossPct, type LegConfig, type ListenerSettings } from './leg-config.ts';

const LIVE_BUFFER_TYPES = ['fixed', 'adaptive', 'ramjee', 'neteq', 'pjsip'] as const;

/** A change of settings: the fields given replace the current ones. */
export type SettingsPatch = Partial<ListenerSettings>;

interface Preset {
  scenario: Scenario;
  jbConfig: JitterBufferConfig;
  jb: JitterBufferMaker;
}

export class LiveCatalog {
  private constructor(
    private readonly presets: Map<string, Preset>,
    private readonly buffers: Map<string, { config: JitterBufferConfig; make: JitterBufferMaker }>,
    readonly defaultPreset: string,
    /** Files skipped, with why (shown at startup). */
    readonly skipped: string[],
  ) {}

  static async load(scenariosDir: string, scenarioFile: string | null): Promise<LiveCatalog> {
    const skipped: string[] = [];
    const files: string[] = [];
    try {
      for (const f of readdirSync(scenariosDir).sort()) if (/\.(ya?ml)$/i.test(f)) files.push(join(scenariosDir, f));
    } catch {
      skipped.push(`${scenariosDir}: cannot list`);
    }
    const presets = new Map<string, Preset>();
    let first: string | null = null;
    const add = async (file: string, isDefault: boolean) => {
      let sc: Scenario;
      try {
        sc = loadScenario(file);
      } catch (e) {
        if (isDefault) throw e;
        skipped.push(`${file}: ${(e as Error).message}`);
        return;
      }
      const v = sc.variants[0];
      const jb = await resolveJitterBuffer(v.receiver.jitterBuffer, sc.baseDir).catch((e: Error) => {
        if (isDefault) throw e;
        skipped.push(`${file}: ${e.message}`);
        return null;
      });
      if (!jb) return;
      presets.set(sc.name, { scenario: sc, jbConfig: v.receiver.jitterBuffer, jb });
      if (isDefault || first === null || (sc.name === 'quickstart' && !scenarioFile)) first = sc.name;
    };
    for (const f of files) if (!scenarioFile || resolve(f) !== resolve(scenarioFile)) await add(f, false);
    if (scenarioFile) await add(scenarioFile, true);
    if (first === null) throw new JitterlabError('usage', `no loadable scenario in ${scenariosDir} (give --scenario)`);
    const buffers = new Map<string, { config: JitterBufferConfig; make: JitterBufferMaker }>();
    for (const type of LIVE_BUFFER_TYPES) {
      const config = JitterBufferConfigSchema.parse({ type });
      try {
        buffers.set(type, { config, make: await resolveJitterBuffer(config, '.') });
      } catch {
        // Not registered in this build: not offered.
      }
    }
    return new LiveCatalog(presets, buffers, first, skipped);
  }

  presetNames(): string[] {
    return [...this.presets.keys()];
  }

  bufferTypes(): string[] {
    return [...this.buffers.keys()];
  }

  hasPreset(name: string): boolean {
    return this.presets.has(name);
  }

  hasBuffer(type: string): boolean {
    return this.buffers.has(type);
  }

  /**
   * Settings after a change from the page or the API, or why not (an unknown name). A new preset
   * starts from its own network: the sliders return to it.
   */
  apply(current: ListenerSettings, patch: SettingsPatch): ListenerSettings | { error: string } {
    if (patch.preset !== undefined && !this.hasPreset(patch.preset)) return { error: `unknown preset '${patch.preset}'` };
    if (patch.buffer !== undefined && patch.buffer !== null && !this.hasBuffer(patch.buffer)) return { error: `unknown buffer type '${patch.buffer}'` };
    const next: ListenerSettings = { ...current };
    if (patch.preset !== undefined) {
      next.preset = patch.preset;
      next.lossPct = null;
      next.jitterMs = null;
    }
    if (patch.buffer !== undefined) next.buffer = patch.buffer;
    if (patch.lossPct !== undefined) next.lossPct = patch.lossPct;
    if (patch.jitterMs !== undefined) next.jitterMs = patch.jitterMs;
    return next;
  }

  defaultSettings(): ListenerSettings {
    return { preset: this.defaultPreset, buffer: null, lossPct: null, jitterMs: null };
  }

  /** The leg configuration for a listener's settings (unknown names fall back to the defaults). */
  resolve(s: ListenerSettings): LegConfig {
    const p = this.presets.get(s.preset) ?? this.presets.get(this.defaultPreset)!;
    const cfg = p.scenario.config;
    const v = p.scenario.variants[0];
    let channel = cfg.channel;
    if (s.lossPct !== null) channel = { ...channel, loss: withLossPct(channel.loss, s.lossPct) };
    if (s.jitterMs !== null) channel = { ...channel, delay: withJitterMs(channel.delay, s.jitterMs) };
    // A slider makes the network steady: the preset's timeline of phases no longer applies.
    const phases = s.lossPct !== null || s.jitterMs !== null ? [] : p.scenario.phases.filter((ph) => ph.direction !== 'bToA');
    let jbConfig = p.jbConfig;
    let jb = p.jb;
    const own = 'type' in p.jbConfig ? p.jbConfig.type : null;
    if (s.buffer !== null && s.buffer !== own) {
      const b = this.buffers.get(s.buffer);
      if (b) {
        jbConfig = b.config;
        jb = b.make;
      }
    }
    return {
      preset: p.scenario.name,
      seed: cfg.seed,
      slotMs: cfg.slotMs ?? LIVE_FRAME_MS,
      channel,
      phases,
      jitterBufferConfig: jbConfig,
      jitterBuffer: jb,
      bufferLabel: 'type' in jbConfig ? jbConfig.type : 'module',
      plc: v.receiver.plc,
      fec: v.receiver.fec,
      codec: { ...v.sender.codec, sampleRate: LIVE_SAMPLE_RATE, frameMs: LIVE_FRAME_MS },
      deviceBufferMs: v.receiver.deviceBufferMs,
      rtcpIntervalMs: v.receiver.rtcpIntervalMs,
      senderRtp: v.sender.rtp,
    };
  }

  /** Whether a preset's jitter buffer is a TypeScript module (a worker thread then needs tsx to load it). */
  namesTypeScriptModule(): boolean {
    return [...this.presets.values()].some((p) => 'module' in p.jbConfig && /\.[cm]?ts$/i.test(p.jbConfig.module));
  }

  scenarioOf(preset: string): Scenario | null {
    return this.presets.get(preset)?.scenario ?? null;
  }
}

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { JitterlabError } from '../core/errors.ts';
import type { BuiltinJbConfig, JitterBufferConfig } from './config.ts';
import { createAdaptive } from './adaptive.ts';
import { createFixed } from './fixed.ts';
import { createNetEq } from './neteq.ts';
import { createOracle } from './oracle.ts';
import { createPjsip } from './pjsip.ts';
import { createRamjee } from './ramjee.ts';
import type { JitterBuffer, JitterBufferHost } from './types.ts';

type Builtin = BuiltinJbConfig['type'];
type Maker = (opts: never, host: JitterBufferHost) => JitterBuffer;

/** Built-in buffers by `type`. Each module registers its constructor here. */
const builtins: Partial<Record<Builtin, Maker>> = {
  fixed: createFixed as Maker,
  adaptive: createAdaptive as Maker,
  ramjee: createRamjee as Maker,
  neteq: createNetEq as Maker,
  pjsip: createPjsip as Maker,
  oracle: createOracle as Maker,
};

export function registerJitterBuffer(type: Builtin, make: Maker): void {
  builtins[type] = make;
}

/** A ready-to-use constructor for a scenario's jitter-buffer setting (user modules are imported once). */
export type JitterBufferMaker = (host: JitterBufferHost) => JitterBuffer;

export async function resolveJitterBuffer(config: JitterBufferConfig, baseDir: string): Promise<JitterBufferMaker> {
  if ('module' in config) {
    const url = pathToFileURL(resolve(baseDir, config.module)).href;
    let mod: { createJitterBuffer?: unknown; default?: { createJitterBuffer?: unknown } };
    try {
      mod = (await import(url)) as typeof mod;
    } catch (e) {
      throw new JitterlabError('scenario', `jitterBuffer.module: cannot load ${config.module}: ${(e as Error).message}`);
    }
    // A module Node treats as CommonJS (e.g. a .ts file outside an ESM package) shows its exports as `default`.
    const exported = typeof mod.createJitterBuffer === 'function' ? mod.createJitterBuffer : mod.default?.createJitterBuffer;
    if (typeof exported !== 'function') {
      throw new JitterlabError('scenario', `jitterBuffer.module: ${config.module} does not export createJitterBuffer(options, host)`);
    }
    const create = exported as (o: Record<string, unknown>, h: JitterBufferHost) => JitterBuffer;
    return (host) => create(config.options, host);
  }
  const make = builtins[config.type];
  if (!make) throw new JitterlabError('scenario', `jitterBuffer.type: '${config.type}' is not available`);
  return (host) => make(config as never, host);
}

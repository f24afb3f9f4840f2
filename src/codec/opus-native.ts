/**
 * libopus decoder calls that @discordjs/opus's JavaScript API does not expose: opus_decode with
 * decode_fec = 1 (in-band FEC, RFC 6716 section 2.1.7) and one-frame packet-loss concealment
 * (data = NULL with an explicit frame size; the JS decode() of an empty buffer yields 120 ms).
 * The addon binary that @discordjs/opus builds links libopus statically and exports its C API,
 * so koffi binds those symbols from it: the same libopus build encodes and decodes.
 */
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { JitterlabError } from '../core/errors.ts';

const require = createRequire(import.meta.url);

export interface OpusNative {
  decoderCreate(sampleRate: number, channels: number): unknown;
  decoderDestroy(st: unknown): void;
  /** Returns samples per channel decoded, or a negative libopus error code. */
  decode(st: unknown, data: Uint8Array | null, pcm: Int16Array, frameSize: number, decodeFec: 0 | 1): number;
  versionString(): string;
}

let cached: OpusNative | null = null;
let addonPath: string | null = null;

/** Path of the addon binary that @discordjs/opus loads (found the way its own index.js finds it). */
export function opusAddonPath(): string {
  if (addonPath !== null) return addonPath;
  const pkgJson = require.resolve('@discordjs/opus/package.json');
  const { find } = require('@discordjs/node-pre-gyp') as { find: (p: string) => string };
  addonPath = find(resolve(dirname(pkgJson), 'package.json'));
  return addonPath;
}

/**
 * The addon's path as another thread of this process found it: node-pre-gyp's lookup costs a
 * worker thread 0.1–0.4 s of CPU (loading it, semver, detect-libc's process report) for a path
 * that is the same in every thread.
 */
export function useOpusAddonPath(path: string): void {
  addonPath = path;
}

export function opusNative(): OpusNative {
  if (cached) return cached;
  const koffi = require('koffi') as typeof import('koffi');
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load(opusAddonPath());
  } catch (e) {
    throw new JitterlabError('codec', `cannot load the libopus addon of @discordjs/opus: ${(e as Error).message}`);
  }
  const create = lib.func('void* opus_decoder_create(int32 Fs, int channels, _Out_ int* error)');
  const destroy = lib.func('void opus_decoder_destroy(void* st)');
  const decode = lib.func('int opus_decode(void* st, const uint8_t* data, int32 len, _Out_ int16_t* pcm, int frame_size, int decode_fec)');
  const version = lib.func('const char* opus_get_version_string()');
  const err = [0];
  cached = {
    decoderCreate(sampleRate, channels) {
      const st = create(sampleRate, channels, err);
      if (err[0] !== 0 || !st) throw new JitterlabError('codec', `opus_decoder_create failed (error ${err[0]})`);
      return st;
    },
    decoderDestroy(st) {
      destroy(st);
    },
    decode(st, data, pcm, frameSize, decodeFec) {
      return decode(st, data, data ? data.length : 0, pcm, frameSize, decodeFec) as number;
    },
    versionString() {
      return version() as string;
    },
  };
  return cached;
}

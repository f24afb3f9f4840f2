/**
 * Finding and starting the browser: Debian's Chromium (or any Chromium the scenario names),
 * driven by playwright-core. No browser is downloaded: one must be installed.
 *
 * Flags: the loopback ones are needed for WebRTC on 127.0.0.1 (without
 * --allow-loopback-in-peer-connection ICE stays in "checking"); the network ones keep Chromium
 * from reaching for the outside (this machine refuses such connections, many at a time).
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { JitterlabError } from '../core/errors.ts';

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--autoplay-policy=no-user-gesture-required',
  '--allow-loopback-in-peer-connection',
  '--use-fake-ui-for-media-stream',
] as const;

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
const ON_PATH = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Chromium to start: the scenario's, else $JITTERLAB_CHROMIUM, else Debian's, else one on PATH. */
export function findChromium(configured: string | null, env: NodeJS.ProcessEnv = process.env): string {
  if (configured) {
    if (!executable(configured)) throw new JitterlabError('usage', `browser receiver: receiver.browser.executable ${configured} is not an executable file`);
    return configured;
  }
  const fromEnv = env.JITTERLAB_CHROMIUM;
  if (fromEnv) {
    if (!executable(fromEnv)) throw new JitterlabError('usage', `browser receiver: JITTERLAB_CHROMIUM=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  for (const c of CANDIDATES) if (executable(c)) return c;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    for (const name of ON_PATH) {
      const p = join(dir, name);
      if (dir && existsSync(p) && executable(p)) return p;
    }
  }
  throw new JitterlabError('io', 'browser receiver: no Chromium found (looked for /usr/bin/chromium and chromium on PATH); install it (Debian: apt-get install chromium) or set receiver.browser.executable');
}

export async function launchChromium(executablePath: string, extraFlags: readonly string[]): Promise<Browser> {
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    throw new JitterlabError('io', 'browser receiver: the playwright-core package is missing (npm install)');
  }
  try {
    return await chromium.launch({ executablePath, args: [...CHROMIUM_FLAGS, ...extraFlags], timeout: 30_000 });
  } catch (e) {
    const first = (e as Error).message.split('\n').find((l) => l.trim()) ?? String(e);
    throw new JitterlabError('io', `browser receiver: ${executablePath} did not start: ${first.replace(/^browserType\.launch: /, '')}`);
  }
}

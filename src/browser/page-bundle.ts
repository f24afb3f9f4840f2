/**
 * The receiver page's script, built from TypeScript in src/browser/page/ with esbuild on first use
 * (as the live page is): the AudioWorklet processor is built first and inlined into the page
 * script as a string, so the page needs nothing but itself.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JitterlabError } from '../core/errors.ts';

const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'page');

let cached: Promise<string> | null = null;

/** The page's HTML with its script inline. */
export function receiverPageHtml(): Promise<string> {
  cached ??= buildPage();
  return cached;
}

async function bundle(entry: string, define: Record<string, string> = {}): Promise<string> {
  const { build } = await import('esbuild');
  const r = await build({
    entryPoints: [join(PAGE_DIR, entry)],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: ['chrome100'],
    minify: true,
    define,
    logLevel: 'silent',
  });
  return r.outputFiles[0].text;
}

async function buildPage(): Promise<string> {
  try {
    const worklet = await bundle('capture-worklet.ts');
    const script = await bundle('receiver-page.ts', { CAPTURE_WORKLET_SOURCE: JSON.stringify(worklet) });
    // A </script> inside the inlined code would end the element early.
    const safe = script.replace(/<\/script/gi, '<\\/script');
    return `<!doctype html><html><head><meta charset="utf-8"><title>jitterlab receiver</title></head><body><script>${safe}</script></body></html>`;
  } catch (e) {
    cached = null;
    throw new JitterlabError('internal', `cannot build the browser receiver page: ${(e as Error).message.split('\n')[0]}`);
  }
}

/**
 * Debian's Chromium driven by playwright-core, for the tests that render pages (the HTML report,
 * the live page). The flags keep it off the network: this machine refuses outside connections.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { CHROMIUM_FLAGS } from '../src/browser/chromium.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** The flags every browser of the project starts with (the receiver's, which include the page tests' needs). */
const BASE_ARGS = CHROMIUM_FLAGS;

export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: [...BASE_ARGS, ...extraArgs] });
}

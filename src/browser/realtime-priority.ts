/**
 * Real-time scheduling for a browser run: on a busy host, Node under normal scheduling stalled
 * for up to 166 ms and packets left 7–106 ms late (p99); under SCHED_FIFO they left about 1 ms
 * late (shared/research/webrtc-bridge.md). Root may raise the whole process with `chrt`; the
 * browser, started afterwards, inherits it. Anyone else runs under normal scheduling, and the
 * report says which it was.
 */
import { execFileSync } from 'node:child_process';

export interface RealtimeState {
  applied: boolean;
  /** e.g. "SCHED_FIFO priority 10 (chrt)", or why not. */
  detail: string;
}

export const FIFO_PRIORITY = 10;

function chrt(args: string[]): void {
  execFileSync('chrt', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5000 });
}

/** Raise every thread of this process to SCHED_FIFO when allowed; returns what happened and how to undo it. */
export function enterRealtime(wanted: boolean): { state: RealtimeState; restore(): void } {
  const none = { restore() {} };
  if (!wanted) return { state: { applied: false, detail: 'off (receiver.browser.realtime: false)' }, ...none };
  if (process.platform !== 'linux') return { state: { applied: false, detail: `not available on ${process.platform}` }, ...none };
  if (process.getuid?.() !== 0) return { state: { applied: false, detail: 'not root: normal scheduling (run as root for SCHED_FIFO via chrt)' }, ...none };
  try {
    chrt(['-a', '-f', '-p', String(FIFO_PRIORITY), String(process.pid)]);
  } catch (e) {
    const msg = (e as { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message;
    return { state: { applied: false, detail: `chrt failed: ${msg.split('\n')[0]}` }, ...none };
  }
  return {
    state: { applied: true, detail: `SCHED_FIFO priority ${FIFO_PRIORITY} (chrt), Node and the browser` },
    restore() {
      try {
        chrt(['-a', '-o', '-p', '0', String(process.pid)]);
      } catch {
        // Best effort: the process keeps running either way.
      }
    },
  };
}

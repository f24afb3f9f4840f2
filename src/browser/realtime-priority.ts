/**
 * Scheduling for a browser run: on a busy host, Node under normal scheduling stalled for up to
 * 166 ms and packets left 7–106 ms late (p99); under SCHED_FIFO they left about 1 ms late
 * (shared/research/webrtc-bridge.md). Root may raise jitterlab's own process with `chrt`.
 *
 * The browser is NOT run real-time: its processes start with SCHED_RESET_ON_FORK from ours (they
 * get normal scheduling) and are then given a higher share with `renice`. A real-time Chromium
 * was seen to freeze a 2-core host: a zygote reaping its children spun in the kernel at FIFO
 * priority for 16 minutes (load 180), beyond the reach of any signal. And before the browser is
 * closed, our own process returns to normal scheduling for the same reason. Anyone else runs
 * under normal scheduling, and the report says which it was.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface RealtimeState {
  applied: boolean;
  /** e.g. "SCHED_FIFO priority 10 (chrt); browser at nice -10", or why not. */
  detail: string;
}

export const FIFO_PRIORITY = 10;
export const BROWSER_NICE = -10;

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5000 });
}

export interface RealtimeSession {
  state: RealtimeState;
  /** Give the browser's processes (descendants of this one) a larger share of the CPU. */
  boostBrowser(): void;
  /** Back to normal scheduling (before the browser is closed, and at the end). */
  restore(): void;
}

/** Raise every thread of this process to SCHED_FIFO (reset on fork) when allowed. */
export function enterRealtime(wanted: boolean): RealtimeSession {
  const none = (detail: string): RealtimeSession => ({ state: { applied: false, detail }, boostBrowser() {}, restore() {} });
  if (!wanted) return none('off (receiver.browser.realtime: false)');
  if (process.platform !== 'linux') return none(`not available on ${process.platform}`);
  if (process.getuid?.() !== 0) return none('not root: normal scheduling (run as root for SCHED_FIFO via chrt)');
  try {
    run('chrt', ['-a', '-R', '-f', '-p', String(FIFO_PRIORITY), String(process.pid)]);
  } catch (e) {
    const msg = (e as { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message;
    return none(`chrt failed: ${msg.split('\n')[0]}`);
  }
  let restored = false;
  const state: RealtimeState = { applied: true, detail: `SCHED_FIFO priority ${FIFO_PRIORITY} (chrt) for jitterlab` };
  return {
    state,
    boostBrowser() {
      const pids = descendants(process.pid);
      if (!pids.length) return;
      try {
        run('renice', ['-n', String(BROWSER_NICE), '-p', ...pids.map(String)]);
        state.detail = `SCHED_FIFO priority ${FIFO_PRIORITY} (chrt) for jitterlab; the browser at nice ${BROWSER_NICE}`;
      } catch {
        // The browser keeps its normal share.
      }
    },
    restore() {
      if (restored) return;
      restored = true;
      try {
        run('chrt', ['-a', '-o', '-p', '0', String(process.pid)]);
      } catch {
        // Best effort: the process keeps running either way.
      }
    },
  };
}

/** Every process below `root` (children, grandchildren, ...), from /proc. */
export function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const below = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (below.has(ppid) && !below.has(pid)) {
        below.add(pid);
        out.push(pid);
        grew = true;
      }
    }
  }
  return out;
}

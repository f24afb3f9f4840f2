/**
 * Scheduling for a browser run: on a busy host, Node under normal scheduling stalled for up to
 * 166 ms and packets left 7–106 ms late (p99); under SCHED_FIFO they left about 1 ms late
 * (shared/research/webrtc-bridge.md). And the browser's own audio output stalls under load
 * (NetEq then reads a delay spike): at nice -10 most runs on a host with load 4–7 had stalls,
 * under SCHED_FIFO few. Root may raise both with `chrt`: jitterlab at FIFO 10, the browser's
 * processes below it at FIFO 5 (set on them after launch; renderers forked later inherit it).
 *
 * A real-time Chromium must never exit real-time: a zygote reaping its children was seen to spin
 * in the kernel at FIFO priority for 16 minutes (load 180), beyond the reach of signals. So the
 * browser's processes and ours return to normal scheduling before the browser is closed. Anyone
 * but root runs under normal scheduling, and the report says which it was.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface RealtimeState {
  applied: boolean;
  /** e.g. "SCHED_FIFO priority 10 (chrt); browser at nice -10", or why not. */
  detail: string;
}

export const FIFO_PRIORITY = 10;
export const BROWSER_FIFO_PRIORITY = 5;

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5000 });
}

export interface RealtimeSession {
  state: RealtimeState;
  /** Raise the browser's processes (descendants of this one) to real time, below jitterlab. */
  boostBrowser(): void;
  /** The browser's processes and ours back to normal scheduling (before the browser is closed, and at the end). */
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
      let n = 0;
      for (const pid of pids) {
        try {
          run('chrt', ['-a', '-f', '-p', String(BROWSER_FIFO_PRIORITY), String(pid)]);
          n++;
        } catch {
          // A process that exited meanwhile.
        }
      }
      if (n) state.detail = `SCHED_FIFO priority ${FIFO_PRIORITY} (chrt) for jitterlab, ${BROWSER_FIFO_PRIORITY} for the browser`;
    },
    restore() {
      if (restored) return;
      restored = true;
      for (const pid of [...descendants(process.pid), process.pid]) {
        try {
          run('chrt', ['-a', '-o', '-p', '0', String(pid)]);
        } catch {
          // Best effort: an exited process needs nothing.
        }
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

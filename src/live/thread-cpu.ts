/**
 * CPU time of the calling thread (user + system, ms), from /proc/thread-self/stat (Linux; null
 * elsewhere). process.cpuUsage() sums every thread of the process: this tells how the live
 * server's work splits between its main thread and its leg engines.
 */
import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of /proc times, 100 on Linux whatever the kernel's own tick rate. */
const TICKS_PER_S = 100;

export function threadCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 (utime, stime) of proc(5), in clock ticks; the slice starts at field 3.
    return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_S;
  } catch {
    return null;
  }
}


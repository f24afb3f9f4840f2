/**
 * The report's section on real-browser receivers: how each ran (browser, scheduling, ICE pair),
 * whether its packets left when the simulation said (release lateness, stalls), and so whether
 * its figures are evidence; plus what its W3C-derived figures mean.
 */
import type { BrowserRunInfo } from '../../browser/browser-run.ts';
import type { VariantResultsJson } from '../results.ts';

/** What the report shows of a variant's `browser` block. */
export type BrowserSummary = { name: string } & Pick<
  BrowserRunInfo,
  'browserVersion' | 'realtime' | 'release' | 'playoutStalls' | 'trusted' | 'untrustedBecause' | 'connectMs' | 'selectedCandidatePair' | 'statsIntervalMs' | 'statsSamples' | 'capture'
>;

export function browserSummaries(variants: readonly VariantResultsJson[]): BrowserSummary[] {
  return variants.filter((v) => v.browser).map((v) => ({ name: v.name, ...(v.browser as unknown as Omit<BrowserSummary, 'name'>) }));
}

type Escape = (s: string) => string;

export function browserSection(list: readonly BrowserSummary[], esc: Escape): string {
  if (!list.length) return '';
  const row = (b: BrowserSummary) => {
    const r = b.release;
    const trust = b.trusted ? '<td class="v-good">yes</td>' : `<td class="v-poor">no: ${esc(b.untrustedBecause.join('; '))}</td>`;
    const ps = b.playoutStalls;
    const stalls = `${ps.stalls}${ps.stalls ? ` (worst ${ps.maxStallMs.toFixed(0)} ms)` : ''}`;
    const pair = b.selectedCandidatePair ? `${b.selectedCandidatePair.local} ↔ ${b.selectedCandidatePair.remote}` : '–';
    const cap = b.capture ? `offset ${b.capture.offsetMs.toFixed(1)} ms, envelope r ${b.capture.correlation.toFixed(3)}` : 'off';
    return `<tr><th>${esc(b.name)}</th><td>${esc(`Chromium ${b.browserVersion}`)}</td><td>${esc(b.realtime.applied ? b.realtime.detail : `normal: ${b.realtime.detail}`)}</td><td>${r.packets}</td><td>${r.p50Ms.toFixed(2)}</td><td>${r.p99Ms.toFixed(2)}</td><td>${r.maxMs.toFixed(2)}</td><td>${r.stalls}${r.stalls ? ` (worst ${r.longestStallMs.toFixed(1)} ms)` : ''}</td><td>${stalls}</td>${trust}<td>${esc(pair)}</td><td>${b.connectMs} ms</td><td>${esc(cap)}</td></tr>`;
  };
  const untrusted = list.filter((b) => !b.trusted).map((b) => esc(b.name));
  const warn = untrusted.length
    ? `<p class="warn">Untrusted: ${untrusted.join(', ')}. Packets left later than the simulation said, or the browser's own audio output stalled (NetEq times arrivals by its output ticks, so a stall reads as a delay spike and raises its target for a long time): these figures describe the host's load as much as the browser. Re-run on a quieter machine, or as root so the run can use real-time scheduling.</p>`
    : '';
  return `<section id="browser"><h2>Browser receivers</h2>
<p class="hint">These variants' receiver is a real browser: headless Chromium over WebRTC on loopback, each media packet written to the connection at its simulated arrival instant, in real time. The browser's own jitter buffer (NetEq), decoder, FEC and concealment played them. Release lateness is each packet's actual release minus its scheduled instant (release stalls: runs later than ${list[0].release.stallThresholdMs} ms). Browser output stalls are jumps of more than ${list[0].playoutStalls.thresholdMs} ms in how far its audio output lags wall time (it should play 48 000 samples per second). The full log is release.csv, every getStats() sample browser-stats.csv.</p>
${warn}<table class="cmp"><thead><tr><th>variant</th><th>browser</th><th>scheduling</th><th>packets</th><th>lateness p50 ms</th><th>p99 ms</th><th>max ms</th><th>release stalls</th><th>browser output stalls</th><th>trusted</th><th>ICE pair</th><th>connect</th><th>captured audio</th></tr></thead><tbody>${list.map(row).join('')}</tbody></table>
<p class="hint">How the browser's figures are read (W3C webrtc-stats, sampled every ${list[0].statsIntervalMs} ms; Chromium caches getStats() for 50 ms): target delay and buffer level per interval are Δ jitterBufferTargetDelay and Δ jitterBufferDelay over Δ jitterBufferEmittedCount (the browser does not expose its instantaneous level: the level drawn is the mean wait of the samples it emitted); effective loss is concealedSamples / totalSamplesReceived; its frames are 20 ms slots of its output, each concealment event a burst as long as its concealed samples; loss after FEC is not known for a browser. The call ends at the last sample where jitterBufferEmittedCount moved.</p></section>`;
}

/**
 * The page's RTP streams panel: the server's RTP streams (GET /api/rtp, once a second while a
 * token is known), running ones first, with their figures and a record toggle
 * (POST /api/rtp/record). The token goes in an Authorization header.
 */

interface StreamRow {
  ssrc: number;
  ssrcHex: string;
  source: string;
  state: 'playing' | 'ending' | 'ended';
  endedBy: string | null;
  packetsIn: number;
  settings: { preset: string; buffer: string };
  summary: { audioS: number; networkLost: number; channelLost: number; late: number; concealedPct: number; mos: { mosCQ: number } | null };
  window: { mos: { mosCQ: number } | null };
  recording: string | null;
}

const POLL_MS = 1000;
const SHOWN = 12;

export class RtpPanel {
  private timer: number | undefined;
  private lastError = '';
  /** For tests: the rows of the last successful poll. */
  rows: StreamRow[] = [];

  constructor(
    private readonly el: HTMLElement,
    private readonly token: () => string,
    private readonly log: (line: string) => void,
  ) {}

  start(): void {
    const poll = async () => {
      await this.refresh();
      this.timer = window.setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
  }

  stop(): void {
    window.clearTimeout(this.timer);
  }

  private headers(): Record<string, string> {
    return { Authorization: `Bearer ${this.token()}` };
  }

  private async refresh(): Promise<void> {
    if (!this.token()) return this.message('Enter the token to see RTP streams.');
    try {
      const res = await fetch(`/api/rtp?limit=${SHOWN}`, { headers: this.headers(), cache: 'no-store' });
      if (res.status === 401) return this.message('The token is not accepted.');
      if (!res.ok) return this.message(`GET /api/rtp: HTTP ${res.status}`);
      this.rows = ((await res.json()) as { streams: StreamRow[] }).streams;
      this.lastError = '';
      this.render();
    } catch (e) {
      this.message(`GET /api/rtp: ${(e as Error).message}`);
    }
  }

  private message(text: string): void {
    if (text === this.lastError) return;
    this.lastError = text;
    this.el.textContent = text;
  }

  private async record(ssrc: number, on: boolean): Promise<void> {
    const res = await fetch('/api/rtp/record', { method: 'POST', headers: { ...this.headers(), 'Content-Type': 'application/json' }, body: JSON.stringify({ ssrc, on }) });
    const body = (await res.json().catch(() => ({}))) as { error?: string; dir?: string; files?: string[] };
    if (!res.ok) this.log(`RTP recording: ${body.error ?? `HTTP ${res.status}`}`);
    else this.log(on ? `recording RTP stream to ${body.dir}` : `saved ${body.dir}: ${(body.files ?? []).join(', ')}`);
    await this.refresh();
  }

  private render(): void {
    const rows = this.rows;
    if (rows.length === 0) {
      this.el.textContent = 'No RTP streams yet.';
      return;
    }
    const table = document.createElement('table');
    const head = table.insertRow();
    for (const h of ['SSRC', 'state', 'audio s', 'lost (net / channel)', 'late', 'concealed', 'MOS', '']) {
      const th = document.createElement('th');
      th.textContent = h;
      head.appendChild(th);
    }
    for (const s of rows) {
      const tr = table.insertRow();
      tr.title = `${s.source} · preset ${s.settings.preset} · buffer ${s.settings.buffer} · ${s.packetsIn} packets`;
      const mos = s.state === 'ended' ? s.summary.mos : (s.window.mos ?? s.summary.mos);
      const cells = [
        s.ssrcHex,
        s.state === 'ended' ? `ended (${s.endedBy})` : s.state,
        s.summary.audioS.toFixed(1),
        `${s.summary.networkLost} / ${s.summary.channelLost}`,
        String(s.summary.late),
        `${s.summary.concealedPct.toFixed(1)} %`,
        mos ? mos.mosCQ.toFixed(2) : '–',
      ];
      for (const c of cells) tr.insertCell().textContent = c;
      const cell = tr.insertCell();
      if (s.state !== 'ended') {
        const b = document.createElement('button');
        b.textContent = s.recording ? 'Stop recording' : 'Record';
        b.className = 'small';
        b.addEventListener('click', () => void this.record(s.ssrc, s.recording === null));
        cell.appendChild(b);
      }
    }
    this.el.replaceChildren(table);
  }
}

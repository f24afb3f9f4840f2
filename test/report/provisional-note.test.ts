/**
 * The report's note on provisional E-model values: the caveat once, then each estimate used in
 * plain sentences (it once read "…estimates (source: No ITU-T Recommendation publishes … Provisional
 * estimate: … see the 8-14 kbit/s entry.)", issue 16).
 */
import { describe, expect, it } from 'vitest';
import { provisionalNote } from '../../src/report/html/render-html.ts';
import type { VariantModel } from '../../src/report/html/report-model.ts';
import { CODEC_IMPAIRMENTS, findCodecImpairment, OPUS_NOTE, type CodecImpairment } from '../../src/scores/codec-impairments.ts';

/** A variant as the report model holds it, reduced to what the note reads. */
function variant(name: string, entry: CodecImpairment): VariantModel {
  const codec = { condition: entry.condition, source: entry.source, Ie: entry.Ie, Bpl: entry.Bpl, bandwidth: entry.bandwidth };
  return { name, headline: { provisional: entry.provisional, codec } } as unknown as VariantModel;
}

const ENTITIES: Record<string, string> = { '&gt;': '>', '&lt;': '<', '&amp;': '&', '&#39;': "'", '&quot;': '"' };
const text = (html: string): string =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(gt|lt|amp|#39|quot);/g, (e) => ENTITIES[e])
    .replace(/\s+/g, ' ')
    .replace(/ ([:.,)])/g, '$1');

describe('the provisional E-model note', () => {
  const wb24 = findCodecImpairment('opus', 'wb', 24)!;
  const wb12 = findCodecImpairment('opus', 'wb', 12)!;

  it('states the caveat once, then the estimate: condition, Ie/Bpl on their scale, how they were chosen', () => {
    const note = text(provisionalNote(['a', 'b', 'c'].map((n) => variant(n, wb24))));
    expect(note.match(/no ITU-T Recommendation publishes/gi)).toHaveLength(1);
    expect(note).toContain('Opus wideband, >= 24 kbit/s, built-in PLC, no in-band FEC: Ie,WB 3, Bpl,WB 10. Ie,WB 3 = AMR-WB 19.85 kbit/s');
    expect(note).not.toMatch(/source:|Provisional estimate|see the|\(a, b, c\)/);
  });

  it('names the variants of each estimate when they used different ones', () => {
    const note = text(provisionalNote([variant('hi', wb24), variant('lo', wb12), variant('hi2', wb24)]));
    expect(note).toContain('>= 24 kbit/s, built-in PLC, no in-band FEC (hi, hi2): Ie,WB 3, Bpl,WB 10.');
    expect(note).toContain('8-14 kbit/s, built-in PLC, no in-band FEC (lo): Ie,WB 20, Bpl,WB 10.');
  });

  it('is absent when no value is provisional', () => {
    const g711 = CODEC_IMPAIRMENTS.find((e) => e.codec === 'g711')!;
    expect(provisionalNote([variant('pstn', g711)])).toBe('');
  });

  it('every Opus estimate reads on its own: no reference to another table entry', () => {
    for (const e of CODEC_IMPAIRMENTS.filter((x) => x.codec === 'opus')) {
      expect(e.source.startsWith(OPUS_NOTE), e.condition).toBe(true);
      const basis = e.source.slice(OPUS_NOTE.length).trim();
      expect(basis, e.condition).toMatch(/^[A-Z]/);
      expect(basis, e.condition).not.toMatch(/see the|\bentry\b/);
      // The text names the values the entry holds.
      const sub = e.bandwidth === 'wb' ? ',WB' : e.bandwidth === 'fb' ? ',FB' : '';
      expect(basis, e.condition).toContain(`Bpl${sub} ${e.Bpl}`);
    }
  });
});

/**
 * renderReport(dir): index.html of a report directory as a pure function of its results.json,
 * packets.csv and WAVs, so a report can be re-rendered at any time. Written atomically.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/atomic-write.ts';
import { IoError } from '../../core/errors.ts';
import { ResultsSchema, type Results } from '../results.ts';
import { renderHtml } from './render-html.ts';
import { buildReportModel } from './report-model.ts';

export function readResults(dir: string): Results {
  const file = join(dir, 'results.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new IoError(file, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new IoError(file, `not JSON: ${(e as Error).message}`);
  }
  const parsed = ResultsSchema.safeParse(json);
  if (!parsed.success) throw new IoError(file, `not a jitterlab results file: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** Writes <dir>/index.html; returns its path. */
export function renderReport(dir: string): string {
  const results = readResults(dir);
  const html = renderHtml(buildReportModel(results, dir));
  const target = join(dir, 'index.html');
  writeFileAtomic(target, html);
  return target;
}

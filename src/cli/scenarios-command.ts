import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { JitterlabError } from '../core/errors.ts';
import { loadScenario, PROJECT_ROOT } from '../scenario/load.ts';

/** Scenario files under dir (recursively), sorted; the JSON Schema is not a scenario. */
export function scenarioFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...scenarioFiles(p));
    else if (/\.(ya?ml|json)$/i.test(e) && !e.endsWith('.schema.json')) out.push(p);
  }
  return out;
}

export const scenariosCommand: CommandModule<object, { dir?: string }> = {
  command: 'scenarios',
  describe: 'List the scenario library (scenarios/) with one-line descriptions',
  builder: (y) => y.option('dir', { type: 'string', describe: 'directory to list (default: the shipped scenarios/)' }) as never,
  handler: (args) => {
    const dir = resolve(args.dir ?? join(PROJECT_ROOT, 'scenarios'));
    const rows = scenarioFiles(dir).map((f) => {
      const rel = relative(process.cwd(), f) || f;
      try {
        const sc = loadScenario(f);
        const tags = [`${sc.config.durationS} s`, sc.variants.length > 1 ? `${sc.variants.length} variants` : '', sc.config.sweep ? 'sweep' : '', Object.keys(sc.config.expect).length ? 'check' : ''].filter(Boolean).join(', ');
        return [rel, tags, sc.config.description || '-'];
      } catch (e) {
        return [rel, 'INVALID', e instanceof JitterlabError ? e.message : String(e)];
      }
    });
    const w = [0, 1].map((i) => Math.max(...rows.map((r) => r[i].length), 4));
    for (const r of rows) process.stdout.write(`${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2]}\n`);
    process.stdout.write('\nRun one: jitterlab run <file>; sweep: jitterlab sweep <file>; gates: jitterlab check\n');
  },
};

import { z } from 'zod';
import { MAX_SCENARIO_BYTES, MAX_VARIANTS, ScenarioSchema } from './schema.ts';

/** The scenario JSON Schema (input side: defaults shown, every key optional where it has one). */
export function scenarioJsonSchema(): Record<string, unknown> {
  const s = z.toJSONSchema(ScenarioSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...s,
    title: 'jitterlab scenario',
    description: `A jitterlab scenario file: YAML or JSON, at most ${MAX_SCENARIO_BYTES / 1024} KiB, at most ${MAX_VARIANTS} variants. Every numeric key has an inclusive range (minimum..maximum).`,
    $id: 'https://jitterlab.dev/scenario.schema.json',
  };
}

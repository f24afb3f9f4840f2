import { z } from 'zod';
import { ScenarioSchema } from './schema.ts';

/** The scenario JSON Schema (input side: defaults shown, every key optional where it has one). */
export function scenarioJsonSchema(): Record<string, unknown> {
  const s = z.toJSONSchema(ScenarioSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...s, title: 'jitterlab scenario', $id: 'https://jitterlab.dev/scenario.schema.json' };
}

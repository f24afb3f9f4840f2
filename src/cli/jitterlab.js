#!/usr/bin/env node
// Launcher: runs the CLI from a cached bundle of src/ (app-bundle.ts; rebuilt after a change),
// or from the TypeScript sources if no bundle can be built. tsx stays registered either way, so
// TypeScript modules named in scenarios (e.g. a jitter buffer) load, and no build step is needed.
import { register } from 'tsx/esm/api';
register();
const { appBundle } = await import('./app-bundle.ts');
const url = await appBundle();
// main.ts starts the command itself when this launcher is the process entry.
await import(url ? url.href : './main.ts');

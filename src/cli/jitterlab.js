#!/usr/bin/env node
// Launcher: runs the CLI from a cached bundle of src/ (app-bundle.ts, rebuilt after a change), or
// from the TypeScript sources if no bundle can be built. The bundle is imported before tsx is
// registered (tsx would transform it again, costing ~100 MB and re-adding keepNames wrappers);
// tsx is then registered for the rest of the run, so TypeScript modules named in scenarios load.
import { register as registerCjs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

const scoped = register({ namespace: 'jitterlab-launcher' });
const { appBundle } = await scoped.import('./app-bundle.ts', import.meta.url);
const url = await appBundle();
await scoped.unregister();
let app = url ? await import(url.href) : null;
// Both module systems, as the tsx command does: a .ts file outside an ESM package is CommonJS
// to Node, and its `export`s need tsx's require hook.
register();
registerCjs();
app ??= await import('./app.ts');
await app.runCli();

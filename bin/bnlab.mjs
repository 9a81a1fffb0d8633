#!/usr/bin/env node
// The `bnlab` command from source: tsx loads the TypeScript CLI (no build step needed).
import { tsImport } from 'tsx/esm/api';

await tsImport('../electron/lab/cli/main.ts', import.meta.url);

#!/usr/bin/env node
// Runs the compiled CLI from dist/, which `npm ci` builds through the `prepare` script (ADR 0010).
import { existsSync } from "node:fs"

const compiled = new URL("../dist/cli.js", import.meta.url)
if (existsSync(compiled)) {
  await import(compiled.href)
} else {
  process.stderr.write("dependency-proxy: not built: run `npm ci` (or `npm run build`) in the project directory\n")
  process.exitCode = 1
}

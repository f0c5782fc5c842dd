import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, resolve } from "node:path"

/** Reads the import specifiers of our sources, for the architecture tests. */
export const SRC = resolve(import.meta.dirname, "../../src")

export const filesUnder = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith(".ts") ? [path] : []
  })

const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?:[^"'`;]*?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g

/** Every module a file names: static imports and re-exports, and dynamic `import("…")`. */
export const importsOf = (file: string): ReadonlyArray<string> =>
  [...readFileSync(file, "utf8").matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? "")

/** Only what is loaded with the file itself: static imports and re-exports (`import type` included). */
export const staticImportsOf = (file: string): ReadonlyArray<string> =>
  [...readFileSync(file, "utf8").matchAll(IMPORT)].flatMap((m) => (m[1] === undefined ? [] : [m[1]]))

/**
 * Every module loaded with `file` through static imports, ours (as paths) and packages (as specifiers):
 * what a process has in memory once it has imported `file`, before any dynamic `import()`.
 */
export const staticClosure = (file: string): ReadonlySet<string> => {
  const seen = new Set<string>()
  const visit = (path: string) => {
    if (seen.has(path)) return
    seen.add(path)
    for (const specifier of staticImportsOf(path)) {
      if (specifier.startsWith(".")) visit(resolve(join(path, ".."), specifier).replace(/\.js$/, ".ts"))
      else seen.add(specifier)
    }
  }
  visit(file)
  return seen
}

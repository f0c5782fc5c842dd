/**
 * The service's JSON log lines: Fastify's request log (pino: numeric `level`) and the application's own
 * (Effect's JSON logger: `logLevel`). Lines that are not JSON (a stack trace on stderr) count as neither.
 */
const levelOf = (line: string): "warning" | "other" | "not json" => {
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch {
    return "not json"
  }
  if (typeof parsed !== "object" || parsed === null) return "not json"
  if ("logLevel" in parsed && typeof parsed.logLevel === "string") {
    return ["WARN", "ERROR", "FATAL"].includes(parsed.logLevel) ? "warning" : "other"
  }
  if ("level" in parsed && typeof parsed.level === "number") return parsed.level >= 40 ? "warning" : "other"
  return "other"
}

export const splitLines = (text: string): ReadonlyArray<string> => text.split("\n").filter((line) => line.trim() !== "")

/** Log lines at warning level or above. */
export const warnings = (lines: ReadonlyArray<string>): ReadonlyArray<string> => lines.filter((line) => levelOf(line) === "warning")

/** The secrets that appear anywhere in the log, each shown by its first characters only. */
export const leakedSecrets = (lines: ReadonlyArray<string>, secrets: ReadonlyArray<string>): ReadonlyArray<string> => {
  const text = lines.join("\n")
  return secrets.filter((secret) => secret !== "" && text.includes(secret)).map((secret) => `${secret.slice(0, 6)}…`)
}

/** Warnings that mention every one of `needles` (a digest, an error code…), case-insensitively. */
export const warningsMentioning = (lines: ReadonlyArray<string>, ...needles: ReadonlyArray<string>): ReadonlyArray<string> =>
  warnings(lines).filter((line) => needles.every((needle) => line.toLowerCase().includes(needle.toLowerCase())))

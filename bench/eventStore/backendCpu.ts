import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { readFileSync } from "node:fs"

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const ticksPerSecond = 100

/** utime + stime of a process in µs, or 0 once it has gone (its CPU is then lost to the figure, not invented). */
const processCpuMicros = (pid: number): number => {
  try {
    // The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / ticksPerSecond
  } catch {
    return 0
  }
}

/**
 * CPU the Postgres backends serving this database have used so far, µs per backend pid (the server runs on this
 * machine: the bench and trials talk to 127.0.0.1). A trial's own database has no other clients, so the
 * difference of two readings is what its appends cost the server.
 */
export const backendCpu = SqlClient.SqlClient.pipe(
  Effect.flatMap((sql) => sql<{ readonly pid: number }>`select pid from pg_stat_activity where datname = current_database()`),
  Effect.map((rows) => new Map(rows.map((row) => [row.pid, processCpuMicros(row.pid)])))
)

/** Server CPU between two readings, µs: backends that started in between count from zero. */
export const backendCpuSince = (before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number => {
  let total = 0
  for (const [pid, micros] of after) total += micros - (before.get(pid) ?? 0)
  return total
}

import { describe, expect, it } from "vitest"
import { exitIfHeld, shutDown, type ShutdownLog } from "../../../src/adapters/cli/shutdown.js"

interface Line { readonly level: "info" | "warn" | "error"; readonly fields: object; readonly message: string }

const recordingLog = () => {
  const lines: Array<Line> = []
  const log: ShutdownLog = {
    info: (fields, message) => void lines.push({ level: "info", fields, message }),
    warn: (fields, message) => void lines.push({ level: "warn", fields, message }),
    error: (fields, message) => void lines.push({ level: "error", fields, message })
  }
  return { log, lines }
}

const openResources = () => ["TCPSocketWrap", "Timeout", "TCPSocketWrap"]
const neverExits = (code: number) => {
  throw new Error(`exit(${code}) was not expected`)
}

describe("serve's shutdown", () => {
  it("is 0 once the server has closed in time, and logs no error", async () => {
    const { log, lines } = recordingLog()
    const code = await shutDown("SIGTERM", { close: async () => undefined, log, timeoutMs: 60_000, openResources, exit: neverExits })
    expect(code).toBe(0)
    expect(lines.map((l) => l.level)).toEqual(["info"])
    expect(lines[0]?.fields).toEqual({ signal: "SIGTERM", timeoutSeconds: 60 })
  })

  it("gives up on a close that never finishes after the timeout: 1, and the log says what was still open", async () => {
    const { log, lines } = recordingLog()
    const started = Date.now()
    const code = await shutDown("SIGTERM", { close: () => new Promise<void>(() => undefined), log, timeoutMs: 200, openResources, exit: neverExits })
    expect(code).toBe(1)
    expect(Date.now() - started).toBeGreaterThanOrEqual(190)
    const error = lines.find((l) => l.level === "error")
    expect(error?.message).toContain("SHUTDOWN_TIMEOUT")
    expect(error?.fields).toEqual({ timeoutSeconds: 0.2, stillOpen: { TCPSocketWrap: 2, Timeout: 1 } })
  })

  it("a close that fails is 1, with the error logged", async () => {
    const { log, lines } = recordingLog()
    const code = await shutDown("SIGINT", { close: () => Promise.reject(new Error("pool end failed")), log, timeoutMs: 60_000, openResources, exit: neverExits })
    expect(code).toBe(1)
    expect(lines.find((l) => l.level === "error")?.message).toBe("shutdown failed")
  })

  it("a process still held open after its shutdown is made to exit with the shutdown's code, naming what held it", async () => {
    const { log, lines } = recordingLog()
    // This test's process is always held open (by vitest), so the exit comes, a second later.
    const exited = await new Promise<number>((done) => exitIfHeld(1, { log, openResources, exit: done }))
    expect(exited).toBe(1)
    expect(lines).toEqual([{ level: "warn", fields: { stillOpen: { TCPSocketWrap: 2, Timeout: 1 } }, message: "shut down, but the process was still held open: exiting" }])
  })
})

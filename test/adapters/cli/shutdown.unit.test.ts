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
const nothingToCut = () => undefined
const neverExits = (code: number) => {
  throw new Error(`exit(${code}) was not expected`)
}

describe("serve's shutdown", () => {
  it("is 0 once the server has closed in time, and logs no error", async () => {
    const { log, lines } = recordingLog()
    const code = await shutDown("SIGTERM", { close: async () => undefined, cutOff: nothingToCut, log, timeoutMs: 60_000, openResources, exit: neverExits })
    expect(code).toBe(0)
    expect(lines.map((l) => l.level)).toEqual(["info"])
    expect(lines[0]?.fields).toEqual({ signal: "SIGTERM", timeoutSeconds: 60 })
  })

  it("at the timeout cuts the connections off, so that close goes on to the services: 1, and the log says what was still open", async () => {
    const { log, lines } = recordingLog()
    const started = Date.now()
    // A close held up by a client that stopped reading, which ends once its connection is cut.
    let release: () => void = () => undefined
    const close = () => new Promise<void>((done) => (release = done))
    let cuts = 0
    const cutOff = () => {
      cuts += 1
      release()
    }
    const code = await shutDown("SIGTERM", { close, cutOff, log, timeoutMs: 200, afterCutOffMs: 60_000, openResources, exit: neverExits })
    expect(code).toBe(1)
    expect(cuts).toBe(1)
    expect(Date.now() - started).toBeGreaterThanOrEqual(190)
    // Ended by close finishing, not by the wait after the cut-off.
    expect(Date.now() - started).toBeLessThan(30_000)
    const errors = lines.filter((l) => l.level === "error")
    expect(errors).toHaveLength(1)
    expect(errors[0]?.message).toContain("SHUTDOWN_TIMEOUT")
    expect(errors[0]?.fields).toEqual({ timeoutSeconds: 0.2, stillOpen: { TCPSocketWrap: 2, Timeout: 1 } })
  })

  it("gives up on a close that does not finish even after the cut-off: 1, saying so", async () => {
    const { log, lines } = recordingLog()
    const code = await shutDown("SIGTERM", { close: () => new Promise<void>(() => undefined), cutOff: nothingToCut, log, timeoutMs: 100, afterCutOffMs: 100, openResources, exit: neverExits })
    expect(code).toBe(1)
    expect(lines.filter((l) => l.level === "error").map((l) => l.message)).toEqual([
      expect.stringContaining("SHUTDOWN_TIMEOUT"),
      "the services did not close after the connections were cut off: exiting"
    ])
  })

  it("a close that fails is 1, with the error logged", async () => {
    const { log, lines } = recordingLog()
    const code = await shutDown("SIGINT", { close: () => Promise.reject(new Error("pool end failed")), cutOff: nothingToCut, log, timeoutMs: 60_000, openResources, exit: neverExits })
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

// Loaded into our server with NODE_OPTIONS=--import (Node 20 refuses --cpu-prof there). SIGUSR2 starts the
// sampler, the next SIGUSR2 stops it and writes BENCH_PROFILE_DIR/<label>.cpuprofile, the label being what
// the runner put in BENCH_PROFILE_DIR/label: one profile per measured window, without start-up or warm-up.
import { readFileSync, writeFileSync } from "node:fs"
import { Session } from "node:inspector"
import { join } from "node:path"

const dir = process.env.BENCH_PROFILE_DIR ?? "."
const session = new Session()
session.connect()
session.post("Profiler.enable")
session.post("Profiler.setSamplingInterval", { interval: 500 })
let running = false

process.on("SIGUSR2", () => {
  if (!running) {
    running = true
    session.post("Profiler.start")
    return
  }
  running = false
  const label = readFileSync(join(dir, "label"), "utf8").trim() || `server-${process.pid}`
  session.post("Profiler.stop", (error, result) => {
    if (error === null && result?.profile !== undefined) writeFileSync(join(dir, `${label}.cpuprofile`), JSON.stringify(result.profile))
  })
})

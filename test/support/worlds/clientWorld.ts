import { execFile } from "node:child_process"
import { updateDependencyProxySettings } from "../../../src/application/useCases/groups.js"
import { type ApiWorld, apiWorld } from "./apiWorld.js"
import { freePort } from "../processes.js"

/** Debian's interpreter, where `python3-gitlab` installs (a `python3` earlier on PATH may lack it). */
export const PYTHON = "/usr/bin/python3"

export interface ClientWorld extends ApiWorld {
  /** Where the API listens, also its external URL (so the `link` headers clients follow lead back here). */
  readonly url: string
}

/**
 * The REST API's test world on a real socket, for clients that speak HTTP themselves. The group `other` has a
 * settings history: the proxy turned off, then Docker Hub credentials set.
 */
export const clientWorld = async (): Promise<ClientWorld> => {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const w = await apiWorld({ externalUrl: url })
  await w.h.run(updateDependencyProxySettings(w.groups.other, { enabled: false }))
  await w.h.run(updateDependencyProxySettings(w.groups.other, { identity: "hub-user", secret: "py-hub-secret" }))
  await w.app.listen({ port, host: "127.0.0.1" })
  return { ...w, url }
}

export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs a program to its end; a failure is a result to look at, not an exception. */
export const run = (file: string, args: ReadonlyArray<string>, timeoutMs = 120_000): Promise<Run> =>
  new Promise((resolve) => {
    execFile(file, [...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1
      resolve({ code, stdout, stderr })
    })
  })

import { execFile } from "node:child_process"
import { constants } from "node:fs"
import { access, mkdtemp } from "node:fs/promises"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { delimiter, join } from "node:path"

/**
 * The fixture drives real Debian tools. A missing one must fail the suite with the package to install,
 * never skip it: a skipped upstream test would look like a passing one.
 */
export const requireTool = async (binary: string, debianPackage: string): Promise<string> => {
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    if (dir === "") continue
    const candidate = join(dir, binary)
    const found = await access(candidate, constants.X_OK).then(
      () => true,
      () => false
    )
    if (found) return candidate
  }
  throw new Error(`'${binary}' is not on PATH; install the Debian package: apt-get install ${debianPackage}`)
}

export interface CommandResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs a command to completion; a non-zero exit is a result, not an exception, so callers can assert on failures. */
export const runCommand = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number } = {}
): Promise<CommandResult> =>
  new Promise((done, fail) => {
    execFile(
      command,
      [...args],
      { env: options.env ?? process.env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error === null) return done({ code: 0, stdout, stderr })
        // A numeric code is the command's own exit status; anything else (ENOENT, a kill by the timeout) is ours.
        if (typeof error.code === "number") return done({ code: error.code, stdout, stderr })
        fail(new Error(`${command} ${args.join(" ")} failed to run: ${error.message}\n${stderr}`))
      }
    )
  })

/** Like runCommand, but a non-zero exit throws with everything the command printed. */
export const runChecked = async (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number } = {}
): Promise<CommandResult> => {
  const result = await runCommand(command, args, options)
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`)
  }
  return result
}

export const freePort = (): Promise<number> =>
  new Promise((done, fail) => {
    const server = createServer()
    server.once("error", fail)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      if (typeof address !== "object" || address === null) return fail(new Error("no TCP address for a probe server"))
      server.close(() => done(address.port))
    })
  })

export const tempDir = (prefix: string): Promise<string> => mkdtemp(join(tmpdir(), prefix))

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms))

import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { type CommandResult, requireTool, runCommand } from "./tools.js"

export interface Skopeo {
  /** Runs skopeo; a failing exit is returned, not thrown, so tests can assert on refusals. */
  readonly run: (args: ReadonlyArray<string>) => Promise<CommandResult>
}

/**
 * skopeo isolated from the developer's machine: its own (empty) auth file, so a login stored in
 * ~/.docker or $XDG_RUNTIME_DIR never turns an "anonymous" test into an authenticated one, and an
 * accept-anything signature policy, so /etc/containers/policy.json need not exist.
 */
export const isolatedSkopeo = async (dir: string): Promise<Skopeo> => {
  const binary = await requireTool("skopeo", "skopeo")
  const authFile = join(dir, "skopeo-auth.json")
  const policyFile = join(dir, "skopeo-policy.json")
  await writeFile(authFile, JSON.stringify({ auths: {} }))
  await writeFile(policyFile, JSON.stringify({ default: [{ type: "insecureAcceptAnything" }] }))
  const env: NodeJS.ProcessEnv = { ...process.env, REGISTRY_AUTH_FILE: authFile }
  return {
    run: (args) => runCommand(binary, ["--policy", policyFile, ...args], { env, timeoutMs: 300_000 })
  }
}

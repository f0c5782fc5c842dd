import { spawn } from "node:child_process"
import { mkdir, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { generateSigningCertificate } from "../../test/support/upstream/certificate.js"
import { fetchToken, startTokenServer } from "../../test/support/upstream/tokenServer.js"
import { freePort, requireTool, sleep, tempDir } from "../../test/support/upstream/tools.js"
import type { Cleanups } from "../lib/cleanups.js"
import type { CacheUnderTest } from "./CacheUnderTest.js"
import { proxyConfigYaml } from "./distributionConfig.js"

const SERVICE = "bench-proxy"
const ISSUER = "bench-proxy-token-issuer"

const waitUntilAnswering = async (url: string, exited: () => boolean, output: () => string): Promise<void> => {
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`the distribution proxy exited during startup:\n${output()}`)
    // 401: up, and its token auth is on.
    const status = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status, () => 0)
    if (status === 401) return
    await sleep(50)
  }
  throw new Error(`the distribution proxy did not answer on ${url} within 15 s:\n${output()}`)
}

/**
 * Debian's docker-registry with `proxy.remoteurl` at the upstream, behind its own token server (the test
 * fixture's Docker-Hub-like one, anonymous pulls allowed): the same kind of bearer auth ours gets.
 */
export const startDistributionProxy = async (upstreamUrl: string, cleanups: Cleanups): Promise<CacheUnderTest> => {
  const binary = await requireTool("docker-registry", "docker-registry")
  const dir = await tempDir("bench-distribution-")
  cleanups.add("remove the distribution proxy's directory", () => rm(dir, { recursive: true, force: true }))
  const certificate = await generateSigningCertificate(dir)
  const tokenServer = await startTokenServer({
    policy: { users: {}, privateRepos: [], pusher: "nobody" },
    certificate,
    issuer: ISSUER,
    ttlSeconds: 3_600
  })
  cleanups.add("stop the distribution proxy's token server", tokenServer.stop)

  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const storageDir = join(dir, "storage")
  await mkdir(storageDir)
  const configPath = join(dir, "config.yml")
  await writeFile(configPath, proxyConfigYaml({
    port, storageDir, remoteUrl: upstreamUrl, realm: tokenServer.realm, service: SERVICE, issuer: ISSUER, certPath: certificate.certPath
  }))

  // REGISTRY_* variables override the config file; the runner's shell must not change the comparison.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("REGISTRY_")))
  const child = spawn(binary, ["serve", configPath], { env, stdio: ["ignore", "ignore", "pipe"] })
  let output = ""
  child.stderr.on("data", (chunk: Buffer) => (output = (output + chunk.toString("utf8")).slice(-20_000)))
  const exited = new Promise<void>((done) => child.once("exit", () => done()))
  const killOnExit = (): void => void child.kill("SIGKILL")
  process.once("exit", killOnExit)
  cleanups.add("stop the distribution proxy", async () => {
    process.off("exit", killOnExit)
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill("SIGTERM")
    const timeout = setTimeout(() => child.kill("SIGKILL"), 5_000)
    await exited
    clearTimeout(timeout)
  })
  await waitUntilAnswering(url, () => child.exitCode !== null, () => output)
  if (child.pid === undefined) throw new Error("the distribution proxy has no pid")

  const repository = (image: string) => `${url}/v2/library/${image}`
  return {
    name: "distribution",
    pid: child.pid,
    manifestUrl: (image, reference) => `${repository(image)}/manifests/${reference}`,
    blobUrl: (image, digest) => `${repository(image)}/blobs/${digest}`,
    measuring: (_label, measure) => measure(),
    authorization: async (image) =>
      `Bearer ${await fetchToken(tokenServer.realm, { service: SERVICE, scopes: [`repository:library/${image}:pull`] })}`
  }
}

import { Agent, request } from "undici"

export interface PullResult {
  readonly bytes: number
  readonly seconds: number
}

export interface ConcurrentPullResult {
  /** Bytes all clients received together. */
  readonly bytes: number
  /** From the first request sent to the last body finished. */
  readonly seconds: number
  readonly perClientSeconds: ReadonlyArray<number>
}

/**
 * One client: GET the URL, read the body and throw it away, counting bytes. A status other than 200 or a
 * short body fails the measurement rather than flattering it.
 */
const pullOnce = async (agent: Agent, url: string, authorization: string, expectedBytes: number): Promise<PullResult> => {
  const started = performance.now()
  const first = await request(url, { dispatcher: agent, headers: { authorization } })
  // A cache hit on S3 with S3_REDIRECT: follow the 307 to the pre-signed GET, without our credentials, as
  // Docker clients do; the time counted includes the redirect.
  const location = first.statusCode === 307 ? first.headers["location"] : undefined
  if (typeof location === "string") await first.body.dump()
  const response = typeof location === "string" ? await request(location, { dispatcher: agent }) : first
  if (response.statusCode !== 200) {
    const body = await response.body.text()
    throw new Error(`GET ${url} answered ${response.statusCode}: ${body.slice(0, 300)}`)
  }
  let bytes = 0
  // "data" listeners rather than `for await`: the async iterator costs the client CPU the server needs.
  await new Promise<void>((done, fail) => {
    response.body.on("data", (chunk: Buffer) => void (bytes += chunk.length))
    response.body.once("end", done)
    response.body.once("error", fail)
  })
  if (bytes !== expectedBytes) throw new Error(`GET ${url} gave ${bytes} bytes, expected ${expectedBytes}`)
  return { bytes, seconds: (performance.now() - started) / 1000 }
}

/** `clients` simultaneous pulls, each on its own connection, as that many `docker pull`s would. */
export const pullConcurrently = async (url: string, authorization: string, expectedBytes: number, clients: number): Promise<ConcurrentPullResult> => {
  // Generous timeouts: a cold pull holds its last byte back until the digest is verified.
  const agent = new Agent({ connections: clients, pipelining: 0, bodyTimeout: 600_000, headersTimeout: 600_000 })
  try {
    const started = performance.now()
    const results = await Promise.all(Array.from({ length: clients }, () => pullOnce(agent, url, authorization, expectedBytes)))
    return {
      bytes: results.reduce((sum, result) => sum + result.bytes, 0),
      seconds: (performance.now() - started) / 1000,
      perClientSeconds: results.map((result) => result.seconds)
    }
  } finally {
    await agent.close()
  }
}

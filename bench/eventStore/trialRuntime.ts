import { Effect, Exit, ManagedRuntime, Scope } from "effect"
import { writeFileSync } from "node:fs"
import { Session } from "node:inspector"
import { EventStore, type StreamWrite, systemMetadata } from "../../src/application/ports/EventStore.js"
import { freshDatabase } from "../../test/support/postgres/postgresTestDatabase.js"
import { benchStoreLayer } from "./eventStoreBench.js"

const metadata = systemMetadata("bench")

const storeRuntime = (url: string) => ManagedRuntime.make(benchStoreLayer(url))
export type TrialRuntime = ReturnType<typeof storeRuntime>

/** An append of `writes` as one command, stamped now: what every trial measures. */
export const appendAll = (writes: ReadonlyArray<StreamWrite>) =>
  EventStore.pipe(Effect.flatMap((store) => store.append(writes, metadata, new Date())))

/**
 * What the append trials share: the store as scenario 5 builds it, on a fresh database dropped at the end, and a
 * CPU profile of this process over the measured window when `profileFile` is given.
 */
export const withTrialStore = async <A>(
  profileFile: string | undefined,
  trial: (store: {
    readonly runtime: TrialRuntime
    readonly startProfile: () => Promise<void>
    readonly stopProfile: () => Promise<void>
  }) => Promise<A>
): Promise<A> => {
  const session = new Session()
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (error, result) => (error === null ? resolve(result) : reject(error))))
  const startProfile = async () => {
    if (profileFile === undefined) return
    session.connect()
    await post("Profiler.enable")
    await post("Profiler.setSamplingInterval", { interval: 200 })
    await post("Profiler.start")
  }
  const stopProfile = async () => {
    if (profileFile === undefined) return
    const result = await post("Profiler.stop")
    if (typeof result === "object" && result !== null && "profile" in result) writeFileSync(profileFile, JSON.stringify(result.profile))
  }
  const scope = Effect.runSync(Scope.make())
  const url = await Effect.runPromise(Scope.extend(freshDatabase, scope))
  const runtime = storeRuntime(url)
  try {
    return await trial({ runtime, startProfile, stopProfile })
  } finally {
    await runtime.dispose()
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

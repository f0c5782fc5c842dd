import { Worker } from "node:worker_threads"

/**
 * The worker's code. Evaluated from this string (`eval: true`) rather than loaded from a file: the same
 * source then runs from `dist/`, under tsx and under vitest, none of which would agree on a file's name.
 * It hashes each slot of the shared ring it is told of, in the order told, and gives the slot back.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads")
const { createHash } = require("node:crypto")
const ring = workerData.ring
const hashes = new Map()
parentPort.on("message", (m) => {
  if (m.kind === "update") {
    let hash = hashes.get(m.session)
    if (hash === undefined) {
      hash = createHash("sha256")
      hashes.set(m.session, hash)
    }
    hash.update(new Uint8Array(ring, m.offset, m.length))
    parentPort.postMessage({ kind: "freed", slot: m.slot })
  } else if (m.kind === "digest") {
    const hash = hashes.get(m.session) ?? createHash("sha256")
    hashes.delete(m.session)
    parentPort.postMessage({ kind: "digest", session: m.session, hex: hash.digest("hex") })
  } else if (m.kind === "drop") {
    hashes.delete(m.session)
  }
})
`

type FromWorker =
  | { readonly kind: "freed"; readonly slot: number }
  | { readonly kind: "digest"; readonly session: number; readonly hex: string }

const isFromWorker = (m: unknown): m is FromWorker =>
  typeof m === "object" && m !== null && "kind" in m && (m.kind === "freed" || m.kind === "digest")

/** One blob's hash, fed run by run. */
export interface RunHash {
  /**
   * Takes a run's bytes: they are copied into memory the worker shares, so the caller's buffers stay the
   * caller's (they go on to clients and the disk). Resolves once copied; waits only while the worker is a
   * whole ring behind, which is the backpressure on whoever feeds it.
   */
  readonly update: (chunks: ReadonlyArray<Uint8Array>) => Promise<void>
  /** `sha256:<hex>` of every byte updated; no update after it. */
  readonly digest: () => Promise<string>
  /** Forgets the hash (an aborted write); idempotent. */
  readonly drop: () => void
}

interface Session {
  broken: Error | null
  finished: boolean
  /** The last update's copy: updates copy one after the other, so the worker sees the bytes in order. */
  tail: Promise<void>
  pending: { readonly resolve: (hex: string) => void; readonly reject: (e: Error) => void } | null
}

export interface Sha256WorkerOptions {
  readonly slots: number
  readonly slotBytes: number
  /** How long the worker stays without work before it stops (its memory, and the ring's, go with it). */
  readonly idleMs: number
}

/** 8 MiB of ring: the worker may fall that far behind before the transfer waits for it. */
const DEFAULTS: Sha256WorkerOptions = { slots: 8, slotBytes: 1024 * 1024, idleMs: 5000 }

/**
 * sha256 of cold transfers off the main thread (ADR 0029): hashing is the biggest per-byte cost of a cold
 * transfer that is ours rather than the runtime's (~1.6 ms per MiB with SHA-NI), and the event loop is what
 * every client of the transfer waits on. The main thread copies each run into a ring of shared memory (a
 * memcpy, ~10× cheaper than the hash) and one worker thread, shared by all transfers of the process, hashes
 * it there. The worker starts with the first hash and stops when idle. If it fails, every hash it held
 * fails (a write that cannot be verified is never committed); the next hash starts a new worker.
 */
export class Sha256Worker {
  private worker: Worker | null = null
  private ring: SharedArrayBuffer | null = null
  private free: Array<number> = []
  private waiting: Array<{ readonly resolve: (slot: number) => void; readonly reject: (e: Error) => void }> = []
  private readonly sessions = new Map<number, Session>()
  private nextSession = 1
  private pendingDigests = 0
  private idleTimer: NodeJS.Timeout | null = null

  constructor(private readonly options: Sha256WorkerOptions = DEFAULTS) {}

  begin(): RunHash {
    const id = this.nextSession++
    const session: Session = { broken: null, finished: false, tail: Promise.resolve(), pending: null }
    this.sessions.set(id, session)
    this.cancelIdleStop()
    const update = (chunks: ReadonlyArray<Uint8Array>) => {
      if (session.finished) return Promise.reject(new Error("the hash is already finished"))
      session.tail = session.tail.then(() => this.copy(id, session, chunks))
      return session.tail
    }
    const digest = () => {
      if (session.finished) return Promise.reject(new Error("the hash is already finished"))
      session.finished = true
      return session.tail.then(() =>
        new Promise<string>((resolve, reject) => {
          if (session.broken !== null) {
            this.sessions.delete(id)
            return reject(session.broken)
          }
          session.pending = { resolve, reject }
          this.pendingDigests++
          this.post({ kind: "digest", session: id })
        })
      )
    }
    const drop = () => {
      if (!this.sessions.delete(id)) return
      session.finished = true
      if (session.pending !== null) {
        this.pendingDigests--
        session.pending.reject(new Error("the hash was dropped"))
        session.pending = null
      }
      this.worker?.postMessage({ kind: "drop", session: id })
      this.settle()
    }
    return { update, digest: () => digest().then((hex) => `sha256:${hex}`), drop }
  }

  /** Stops the worker now; hashes in progress fail. */
  close(): Promise<void> {
    const worker = this.worker
    if (worker === null) return Promise.resolve()
    this.fail(new Error("the sha256 worker was closed"))
    return worker.terminate().then(() => undefined)
  }

  private async copy(id: number, session: Session, chunks: ReadonlyArray<Uint8Array>): Promise<void> {
    const { slotBytes } = this.options
    let index = 0
    let offset = 0
    const skipEmpty = () => {
      while (index < chunks.length && offset === (chunks[index]?.length ?? 0)) {
        index++
        offset = 0
      }
    }
    skipEmpty()
    while (index < chunks.length) {
      if (session.broken !== null) throw session.broken
      const slot = this.free.pop() ?? (await this.nextFreeSlot())
      const ring = this.ring
      if (ring === null || session.broken !== null) throw session.broken ?? new Error("the sha256 worker stopped")
      const target = new Uint8Array(ring, slot * slotBytes, slotBytes)
      let filled = 0
      while (index < chunks.length && filled < slotBytes) {
        const chunk = chunks[index] ?? new Uint8Array(0)
        const n = Math.min(chunk.length - offset, slotBytes - filled)
        target.set(chunk.subarray(offset, offset + n), filled)
        filled += n
        offset += n
        skipEmpty()
      }
      this.post({ kind: "update", session: id, slot, offset: slot * slotBytes, length: filled })
    }
  }

  private nextFreeSlot(): Promise<number> {
    this.start()
    const slot = this.free.pop()
    if (slot !== undefined) return Promise.resolve(slot)
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }))
  }

  private post(message: object) {
    this.start().postMessage(message)
    this.settle()
  }

  private start(): Worker {
    if (this.worker !== null) return this.worker
    const { slots, slotBytes } = this.options
    const ring = new SharedArrayBuffer(slots * slotBytes)
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ring } })
    this.worker = worker
    this.ring = ring
    this.free = Array.from({ length: slots }, (_, i) => slots - 1 - i)
    worker.on("message", (m: unknown) => {
      if (this.worker === worker && isFromWorker(m)) this.received(m)
    })
    worker.on("error", (e: Error) => {
      if (this.worker === worker) this.fail(new Error(`the sha256 worker failed: ${e.message}`))
    })
    worker.on("exit", (code: number) => {
      if (this.worker === worker) this.fail(new Error(`the sha256 worker exited with code ${code}`))
    })
    return worker
  }

  private received(m: FromWorker) {
    if (m.kind === "freed") {
      const waiter = this.waiting.shift()
      if (waiter !== undefined) waiter.resolve(m.slot)
      else this.free.push(m.slot)
    } else {
      const session = this.sessions.get(m.session)
      this.sessions.delete(m.session)
      if (session?.pending != null) {
        this.pendingDigests--
        session.pending.resolve(m.hex)
        session.pending = null
      }
    }
    this.settle()
  }

  /** Every hash the worker held is lost: they fail, and the next one starts afresh. */
  private fail(error: Error) {
    this.worker = null
    this.ring = null
    this.free = []
    this.cancelIdleStop()
    for (const waiter of this.waiting.splice(0)) waiter.reject(error)
    for (const [id, session] of this.sessions) {
      session.broken = error
      if (session.pending !== null) {
        session.pending.reject(error)
        session.pending = null
        this.sessions.delete(id)
      }
    }
    this.pendingDigests = 0
  }

  /**
   * Keeps the process alive only while the worker has work (a slot or a digest outstanding), and stops the
   * worker once nothing uses it for a while.
   */
  private settle() {
    const worker = this.worker
    if (worker === null) return
    const outstanding = this.options.slots - this.free.length + this.pendingDigests
    if (outstanding > 0) worker.ref()
    else worker.unref()
    if (outstanding === 0 && this.sessions.size === 0 && this.idleTimer === null) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = null
        if (this.worker === worker && this.sessions.size === 0) {
          this.worker = null
          this.ring = null
          this.free = []
          void worker.terminate()
        }
      }, this.options.idleMs)
      this.idleTimer.unref()
    }
  }

  private cancelIdleStop() {
    if (this.idleTimer === null) return
    clearTimeout(this.idleTimer)
    this.idleTimer = null
  }
}

/** The process's one worker, shared by every store's writes. */
export const processSha256 = new Sha256Worker()

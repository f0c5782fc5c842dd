import { Effect } from "effect"
import { cleanup } from "../../application/cache/cleanup.js"
import { fsck } from "../../application/cache/fsck.js"
import { parseFlags } from "./args.js"

/** `dependency-proxy fsck [--repair]`: exits 1 when it finds problems it was not asked to repair. */
export const fsckCommand = (argv: ReadonlyArray<string>) =>
  parseFlags(argv, { repair: "boolean" }).pipe(Effect.flatMap((flags) => fsck(flags["repair"] === true)))

/** `dependency-proxy cleanup`: the TTL job, once, now. */
export const cleanupCommand = (argv: ReadonlyArray<string>) => parseFlags(argv, {}).pipe(Effect.zipRight(cleanup))

import { Effect } from "effect"
import { CommandMetadata } from "../../application/CommandMetadata.js"
import type { SignedIn } from "./signedIn.js"

/**
 * Commands from the UI are issued by the signed-in user: the use cases authorize that user (ADR 0014) and
 * every event records them.
 */
export const asUser = (signed: SignedIn) => asUserId(signed.actor.user.userId)

/** The same, for a user known by the session alone (sign-out, which still works for a session no longer valid). */
export const asUserId = (userId: number) => Effect.updateService(CommandMetadata, (m) => ({ ...m, actor: `user:${userId}` }))

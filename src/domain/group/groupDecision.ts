import { Either } from "effect"
import type { DomainError } from "../errors.js"
import type { GroupEvent } from "./GroupEvents.js"

/** What the group decider answers for one command: the events it records, or why it refuses. */
export type Decision = Either.Either<ReadonlyArray<GroupEvent>, DomainError>

/** Nothing to record: the command asks for what the group already is. */
export const none: Decision = Either.right([])

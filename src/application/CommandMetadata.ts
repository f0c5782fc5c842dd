import { Context } from "effect"
import type { EventMetadata } from "./ports/EventStore.js"

/** Who issued the command being handled, and from where; stored on every event it produces. */
export class CommandMetadata extends Context.Tag("dependency-proxy/CommandMetadata")<CommandMetadata, EventMetadata>() {}

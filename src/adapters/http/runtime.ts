import type { ManagedRuntime } from "effect"
import type { AppServices } from "../../application/AppServices.js"

export type EdgeRuntime = ManagedRuntime.ManagedRuntime<AppServices, unknown>

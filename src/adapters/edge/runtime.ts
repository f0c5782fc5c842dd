import type { ManagedRuntime } from "effect"
import type { AppServices, RegistryServices } from "../../application/AppServices.js"

/** The one runtime the HTTP edge runs effects on, built in the composition root (its start-up errors are
 * reported before the server starts listening, so requests never see them). */
export type EdgeRuntime = ManagedRuntime.ManagedRuntime<AppServices | RegistryServices, never>

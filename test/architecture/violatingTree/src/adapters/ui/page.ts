import type { route } from "../http/route.js"

/** Breaks driving-adapters-are-independent (http) and closes the cycle route → page → route. */
export const page: ReadonlyArray<typeof route> = []

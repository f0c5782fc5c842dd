import { readFileSync } from "node:fs"
import { route } from "../adapters/http/route.js"

/** Breaks domain-is-pure twice: a Node built-in and an adapter. */
export const thing = (): string => `${typeof readFileSync}${route()}`

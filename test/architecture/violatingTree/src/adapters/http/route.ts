import { compositionRoot } from "../../main.js"
import { page } from "../ui/page.js"

/** Breaks adapters-do-not-compose (main) and driving-adapters-are-independent (ui); closes a cycle with page. */
export const route = (): string => `${compositionRoot}${page.length}`

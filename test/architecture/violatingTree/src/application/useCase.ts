import { route } from "../adapters/http/route.js"

/** Breaks application-has-no-adapter. */
export const useCase = (): string => route()

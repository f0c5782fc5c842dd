import type { ApiActor } from "../../application/api/apiActor.js"
import { accessLevelName, isAccessLevel } from "../../domain/AccessLevel.js"

/** The viewer's role as GitLab names it; an instance administrator without a membership is shown as such. */
export const roleName = (actor: ApiActor, level: number): string =>
  actor.user.admin ? "Administrator" : isAccessLevel(level) ? accessLevelName(level) : "None"

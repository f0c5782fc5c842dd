import { Layer } from "effect"
import { project } from "../domain/projector.js"
import { Projector } from "./ports/Projector.js"

/** The domain's projection of the event log into read models, as the stores consume it. */
export const ProjectorLive = Layer.succeed(Projector, project)

import type { LiveView } from "./LiveView.js"
import type { RegistrySettings } from "./auth/RegistrySettings.js"
import type { SignInThrottle } from "./auth/SignInThrottle.js"
import type { CommandMetadata } from "./CommandMetadata.js"
import type { ImageContent } from "./ports/ImageContent.js"
import type { RegistryTokens } from "./ports/RegistryTokens.js"
import type { BlobStore } from "./ports/BlobStore.js"
import type { EventStore } from "./ports/EventStore.js"
import type { IdSequence } from "./ports/IdSequence.js"
import type { PasswordHasher } from "./ports/PasswordHasher.js"
import type { Projector } from "./ports/Projector.js"
import type { ReadModels } from "./ports/ReadModels.js"
import type { SecretBox } from "./ports/SecretBox.js"
import type { TokenGenerator } from "./ports/TokenGenerator.js"
import type { UpstreamBreakers } from "./upstream/UpstreamBreakers.js"

/** The ports every use case may need; the one runtime built in the composition root provides them. */
export type AppServices = EventStore | ReadModels | IdSequence | Projector | PasswordHasher | SecretBox | TokenGenerator | BlobStore

/** What the registry routes need besides the application's ports. */
export type RegistryServices = LiveView | RegistryTokens | SignInThrottle | RegistrySettings | ImageContent | UpstreamBreakers

/** What a command needs: the services and who is issuing it. */
export type CommandServices = AppServices | CommandMetadata

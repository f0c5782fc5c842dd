import { Effect } from "effect"
import { changeGroup } from "../../application/useCases/groups.js"
import { asUser } from "./actingUser.js"
import { formField } from "./formBody.js"
import { ownedGroupAt } from "./groupPageData.js"
import { settingsPath } from "./groupSettingsRoute.js"
import type { SettingsOutcome } from "./groupTokenActions.js"
import type { SignedIn } from "./signedIn.js"

/**
 * Sets SSO enforcement with the same command the CLI uses (`SsoEnforcementChanged` in the log, naming this user).
 * The page's Owner check answers 403/404 first; `changeGroup` checks the Owner again for the issuer. The
 * decider refuses a subgroup (`NotTopLevelGroup`, a 422 page), whose form is never shown.
 */
export const saveSsoSetting = (signed: SignedIn, groupPath: string, body: unknown) =>
  Effect.gen(function*() {
    const group = yield* ownedGroupAt(signed, groupPath)
    const enforced = formField(body, "sso_enforced") !== null
    yield* changeGroup(group.groupId, { _tag: "SetSsoEnforcement", enforced }).pipe(asUser(signed))
    return { _tag: "Redirect", location: `${settingsPath(group.fullPath)}?notice=sso_saved` } satisfies SettingsOutcome
  })

import { Effect } from "effect"
import { updateGroup } from "../../application/useCases/updateGroup.js"
import { asUser } from "./actingUser.js"
import { formField } from "./formBody.js"
import { settingsPageOf } from "./groupSettingsPage.js"
import { ownedGroupAt } from "./groupPageData.js"
import { settingsPath } from "./groupSettingsRoute.js"
import type { SettingsOutcome } from "./groupTokenActions.js"
import type { SignedIn } from "./signedIn.js"
import { type GeneralForm, generalFormOf } from "./views/groupSettingsView.js"
import { sameGroup, STALE_FORM } from "./staleGroupForm.js"
import type { Viewer } from "./views/layout.js"

const LABELS: Readonly<Record<string, string>> = { name: "Group name", path: "Group URL path", description: "Group description" }

/**
 * The general form (name, path, description) with `updateGroup`, as REST's `PUT /groups/:id` does: one append, a
 * new path moving the subgroups' paths and claims with it. A refused field comes back on the page (422) with
 * what was typed; a saved change lands on the settings page at the group's path as it now is.
 */
export const saveGeneralSettings = (signed: SignedIn, viewer: Viewer, groupPath: string, body: unknown) =>
  Effect.gen(function*() {
    const group = yield* ownedGroupAt(signed, groupPath)
    const typed: GeneralForm = {
      name: (formField(body, "name") ?? "").trim(),
      path: (formField(body, "path") ?? "").trim(),
      // Browsers send a textarea's line breaks as CRLF: kept as typed, a description set elsewhere with LF
      // would change on every save, and count each break twice against its length limit.
      description: (formField(body, "description") ?? "").replace(/\r\n?/g, "\n"),
      errors: {}
    }
    if (!sameGroup(group, body)) {
      return settingsPageOf(signed, viewer, group, { status: 409, notice: null, general: { ...generalFormOf(group), errors: { form: STALE_FORM } } })
    }
    const refused = (field: string, message: string): SettingsOutcome => {
      const known = field === "name" || field === "path" || field === "description" ? field : "name"
      return settingsPageOf(signed, viewer, group, { status: 422, notice: null, general: { ...typed, errors: { [known]: `${LABELS[known] ?? known} ${message}.` } } })
    }
    if (typed.name === "") return refused("name", "can't be blank")
    if (typed.path === "") return refused("path", "can't be blank")
    const saved = yield* updateGroup(group.groupId, { name: typed.name, path: typed.path, description: typed.description }).pipe(
      asUser(signed),
      Effect.as(null),
      Effect.catchTags({
        InvalidField: (e) => Effect.succeed(refused(e.field, e.message)),
        NameTaken: () => Effect.succeed(refused("path", "is already taken by a group at this level"))
      })
    )
    if (saved !== null) return saved
    const parentPrefix = group.fullPath.slice(0, group.fullPath.length - group.path.length)
    return { _tag: "Redirect", location: `${settingsPath(`${parentPrefix}${typed.path}`)}?notice=general_saved` } satisfies SettingsOutcome
  })

import { Effect, Option } from "effect"
import type { GroupView } from "../../domain/views.js"
import { ownedGroupAt } from "./groupPageData.js"
import type { SettingsOutcome } from "./groupTokenActions.js"
import type { SignedIn } from "./signedIn.js"
import type { Viewer } from "./views/layout.js"
import { type GeneralForm, generalFormOf, groupSettingsPage } from "./views/groupSettingsView.js"

const topLevelOf = (signed: SignedIn, group: GroupView): GroupView => {
  const rootId = group.ancestorIds[0]
  return rootId === undefined ? group : Option.getOrElse(signed.state.group(rootId), () => group)
}

/** The settings page of a group already checked to be the viewer's to manage. */
export const settingsPageOf = (signed: SignedIn, viewer: Viewer, group: GroupView, extra: {
  readonly status: number
  readonly notice: string | null
  readonly general?: GeneralForm
}): SettingsOutcome => ({
  _tag: "Page",
  status: extra.status,
  page: groupSettingsPage({ group, general: extra.general ?? generalFormOf(group), topLevel: topLevelOf(signed, group), notice: extra.notice, viewer })
})

/** The settings page, for Owners only (as GitLab's group settings): others get 403, or 404 where they cannot see the group. */
export const showGroupSettings = (signed: SignedIn, viewer: Viewer, groupPath: string, notice: string | null) =>
  ownedGroupAt(signed, groupPath).pipe(Effect.map((group) => settingsPageOf(signed, viewer, group, { status: 200, notice })))

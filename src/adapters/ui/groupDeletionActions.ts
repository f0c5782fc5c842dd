import { Effect } from "effect"
import { purgeDeletedGroups } from "../../application/cache/cleanup.js"
import { deleteGroup } from "../../application/useCases/deleteGroup.js"
import { inBackground } from "../edge/inBackground.js"
import { asUser } from "./actingUser.js"
import { formField } from "./formBody.js"
import { ownedGroupAt } from "./groupPageData.js"
import type { SettingsOutcome } from "./groupTokenActions.js"
import { sameGroup, STALE_FORM } from "./staleGroupForm.js"
import type { SignedIn } from "./signedIn.js"
import { deleteGroupConfirmPage } from "./views/deleteGroupConfirmView.js"
import type { Viewer } from "./views/layout.js"

const confirmation = (signed: SignedIn, viewer: Viewer, groupPath: string, status: number, error: string | null) =>
  ownedGroupAt(signed, groupPath).pipe(Effect.map((group): SettingsOutcome => {
    const subgroups = signed.state.allGroups().filter((g) => g.ancestorIds.includes(group.groupId)).length
    return { _tag: "Page", status, page: deleteGroupConfirmPage(group, subgroups, viewer, error) }
  }))

/** The question: the group and how many subgroups go with it. Owners only (`ownedGroupAt`), as the deletion. */
export const askDeleteGroup = (signed: SignedIn, viewer: Viewer, groupPath: string) => confirmation(signed, viewer, groupPath, 200, null)

/**
 * The answer, with the group's full path typed: `deleteGroup` as the user (ADR 0014 checks `mayDeleteGroup`
 * again), the group and its subgroups gone when this answers; their cached content purged in the background,
 * as REST's `DELETE /groups/:id` does. Then the groups list, which no longer shows them.
 */
export const deleteGroupConfirmed = (signed: SignedIn, viewer: Viewer, groupPath: string, body: unknown) =>
  Effect.gen(function*() {
    const group = yield* ownedGroupAt(signed, groupPath)
    if (!sameGroup(group, body)) return yield* confirmation(signed, viewer, groupPath, 409, STALE_FORM)
    if ((formField(body, "confirm_path") ?? "").trim() !== group.fullPath) {
      return yield* confirmation(signed, viewer, groupPath, 422, `Type ${group.fullPath} exactly to delete the group.`)
    }
    const deleted = yield* deleteGroup(group.groupId).pipe(asUser(signed))
    yield* inBackground(`purging the cache of deleted group ${group.groupId}`, purgeDeletedGroups(deleted).pipe(asUser(signed)))
    return { _tag: "Redirect", location: "/groups?notice=group_deleted" } satisfies SettingsOutcome
  })

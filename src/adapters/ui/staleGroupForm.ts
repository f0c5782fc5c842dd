import type { GroupView } from "../../domain/views.js"
import { formField } from "./formBody.js"

/**
 * Whether a group form was shown for the group now at its path (`group_id`, hidden in the form). A tab left open
 * while the group was renamed and another group took its path would otherwise change or delete that other group.
 */
export const sameGroup = (group: GroupView, body: unknown): boolean => formField(body, "group_id") === String(group.groupId)

export const STALE_FORM = "This page was shown for another group that had this path then. Nothing was changed; check the group below and try again."

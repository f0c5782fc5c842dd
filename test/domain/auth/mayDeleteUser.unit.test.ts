import { describe, expect, it } from "vitest"
import { type Caller, mayDeleteUser } from "../../../src/domain/auth/managementRules.js"

const caller = (userId: number, admin: boolean, blocked = false): Caller => ({ userId, admin, blocked, memberships: new Map() })

describe("mayDeleteUser", () => {
  it("lets an active administrator delete another human user", () => {
    expect(mayDeleteUser(caller(1, true), { userId: 2, bot: false })).toEqual({ _tag: "Allowed" })
  })

  it("refuses everyone else, oneself and bots, saying why", () => {
    expect(mayDeleteUser(caller(3, false), { userId: 2, bot: false })).toEqual({ _tag: "Refused", reason: "administrator access is required" })
    expect(mayDeleteUser(caller(1, true, true), { userId: 2, bot: false })).toEqual({ _tag: "Refused", reason: "the user is blocked" })
    expect(mayDeleteUser(caller(1, true), { userId: 1, bot: false })).toEqual({ _tag: "Refused", reason: "an administrator cannot delete themselves" })
    expect(mayDeleteUser(caller(1, true), { userId: 2, bot: true })).toMatchObject({ _tag: "Refused" })
  })
})

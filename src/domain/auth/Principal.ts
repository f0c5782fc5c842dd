/**
 * Who is pulling, once the credential has been checked:
 * - a user, signed in by password, personal access token or CI job token (the job's user);
 * - a group access token, acting as its bot member with the token's role;
 * - a group deploy token, good for its group and the group's descendants.
 */
export type Principal =
  | {
    readonly _tag: "UserPrincipal"
    readonly userId: number
    readonly admin: boolean
    readonly blocked: boolean
    /**
     * For a CI job token, the top-level group whose tree the job may reach (its group's root); null for a
     * password or personal access token, which reach wherever the user may read.
     */
    readonly reach: number | null
  }
  | { readonly _tag: "GroupTokenPrincipal"; readonly botUserId: number; readonly blocked: boolean }
  | { readonly _tag: "DeployTokenPrincipal"; readonly groupId: number }

/** Where root's first password came from: generated into a file under DATA_DIR, or given by the operator. */
export type RootPasswordSource = { readonly _tag: "File"; readonly path: string } | { readonly _tag: "Environment" }

/**
 * The one line the first start logs for the person who just ran `npm start`: where to sign in, and where
 * root's password is. It names the file, never the password itself.
 */
export const firstStartNotice = (externalUrl: string, source: RootPasswordSource): string => {
  const signInUrl = new URL("/users/sign_in", externalUrl).href
  const password = source._tag === "File"
    ? `the generated password written to ${source.path} (readable by this user only)`
    : "the password given in INITIAL_ROOT_PASSWORD"
  return `created the root user: sign in at ${signInUrl} as root with ${password}`
}

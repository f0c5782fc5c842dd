/** What `dependency-proxy --help` prints. Imports nothing, so `--help` loads nothing else (SPEC §9: within 1 s). */
export const USAGE = `usage: dependency-proxy <command>
  serve                         start the service (PORT, DATA_DIR, DATABASE_URL, … from the environment)
  migrate                       run database migrations
  admin <subcommand> [--as USER] create-user, block-user, unblock-user, set-two-factor, create-group,
                                update-group, delete-group, add-member, change-member, remove-member,
                                update-settings, create-token, revoke-token, finish-job, start-sso-session,
                                instance-settings
  replay [--verify]             rebuild the read models from the event log; --verify re-checks every payload
  audit history --group PATH    settings changes of a group
  audit state --group PATH --at TIME|POSITION
  audit verify                  check hash chains and compare replayed read models with the live ones
  fsck [--repair]               check every cached file against its digest; --repair forgets bad entries
  cleanup                       expire cache entries past their group's TTL, delete unreferenced files
  ci-env --group PATH --user U  create a CI job token and print the CI_DEPENDENCY_PROXY_* variables`

/** One line on stderr, prefixed with the command's name; returns the exit code to use. */
export const fail = (message: string, code: number): number => {
  process.stderr.write(`dependency-proxy: ${message}\n`)
  return code
}

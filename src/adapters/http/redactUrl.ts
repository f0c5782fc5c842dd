/**
 * Query parameters whose values are never logged. GitLab-minded scripts send credentials in the query string
 * (`?private_token=`, `?password=`, `?job_token=`); so might anyone, under a name like a secret.
 */
const SECRET_NAME = /pass|token|secret|key|credential|auth|signature|^sig$|session|otp/i

export const REDACTED = "[REDACTED]"

/** A GraphQL document or its variables sent by GET may hold the Docker Hub secret (`secret:`). */
const GRAPHQL_PARAM = /^(query|variables)$/

const decoded = (raw: string): string => {
  try {
    return decodeURIComponent(raw.replace(/\+/g, " "))
  } catch {
    // Text that does not decode is judged as it is written.
    return raw
  }
}

/** The URL as it may be logged: path as sent, secret-looking query values replaced. */
export const redactUrl = (url: string): string => {
  const question = url.indexOf("?")
  if (question < 0) return url
  const query = url.slice(question + 1)
  const redacted = query.split("&").map((pair) => {
    const equals = pair.indexOf("=")
    const rawName = equals < 0 ? pair : pair.slice(0, equals)
    const name = decoded(rawName)
    const secretValue = GRAPHQL_PARAM.test(name) && /secret/i.test(decoded(pair.slice(equals + 1)))
    return equals >= 0 && (SECRET_NAME.test(name) || secretValue) ? `${rawName}=${REDACTED}` : pair
  })
  return `${url.slice(0, question)}?${redacted.join("&")}`
}

/**
 * Query parameters whose values are never logged. GitLab-minded scripts send credentials in the query string
 * (`?private_token=`, `?password=`, `?job_token=`); so might anyone, under a name like a secret.
 */
const SECRET_NAME = /pass|token|secret|key|credential|auth|signature|^sig$|session|otp/i

export const REDACTED = "[REDACTED]"

/** The URL as it may be logged: path as sent, secret-looking query values replaced. */
export const redactUrl = (url: string): string => {
  const question = url.indexOf("?")
  if (question < 0) return url
  const query = url.slice(question + 1)
  const redacted = query.split("&").map((pair) => {
    const equals = pair.indexOf("=")
    const rawName = equals < 0 ? pair : pair.slice(0, equals)
    let name = rawName
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, " "))
    } catch {
      // A name that does not decode is judged as it is written.
    }
    return equals >= 0 && SECRET_NAME.test(name) ? `${rawName}=${REDACTED}` : pair
  })
  return `${url.slice(0, question)}?${redacted.join("&")}`
}

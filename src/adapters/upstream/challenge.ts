/** One challenge of a `WWW-Authenticate` header: its scheme and its parameters (names lowercased). */
export interface Challenge {
  readonly scheme: string
  readonly params: ReadonlyMap<string, string>
}

const isSpace = (c: string | undefined) => c === " " || c === "\t"
// RFC 7230 tchar: anything visible except separators; a token ends at whitespace, a comma, "=" or a quote.
const endsToken = (c: string | undefined) => c === undefined || isSpace(c) || c === "," || c === "=" || c === "\""

/**
 * Parses a `WWW-Authenticate` value (RFC 7235): `Bearer realm="…",service="…",scope="…"`, possibly several
 * challenges in one header (`Basic realm=x, Bearer realm=y`). Quoted values may hold commas, `=` and
 * backslash escapes. Lenient: a malformed tail is dropped rather than failing, since the caller only needs
 * the realm of a Bearer or Basic challenge and an unparseable header ends as "not authorized" anyway.
 */
export const parseChallenges = (header: string): ReadonlyArray<Challenge> => {
  const challenges: Array<{ scheme: string; params: Map<string, string> }> = []
  let i = 0
  const skipSpaces = () => {
    while (isSpace(header[i])) i++
  }
  const readToken = () => {
    const start = i
    while (!endsToken(header[i])) i++
    return header.slice(start, i)
  }
  const readQuoted = () => {
    let value = ""
    i++ // the opening quote
    while (i < header.length && header[i] !== "\"") {
      if (header[i] === "\\" && i + 1 < header.length) i++
      value += header[i]
      i++
    }
    i++ // the closing quote, if any
    return value
  }

  while (i < header.length) {
    while (isSpace(header[i]) || header[i] === ",") i++
    if (i >= header.length) break
    const token = readToken()
    if (token === "") {
      i++ // a stray "=" or quote: skip it so the loop always advances
      continue
    }
    skipSpaces()
    const current = challenges.at(-1)
    if (header[i] === "=" && current !== undefined) {
      i++
      skipSpaces()
      const value = header[i] === "\"" ? readQuoted() : readToken()
      current.params.set(token.toLowerCase(), value)
    } else {
      challenges.push({ scheme: token, params: new Map() })
    }
  }
  return challenges
}

/** The first challenge of the given scheme (compared case-insensitively, as RFC 7235 says). */
export const findChallenge = (challenges: ReadonlyArray<Challenge>, scheme: string): Challenge | undefined =>
  challenges.find((c) => c.scheme.toLowerCase() === scheme.toLowerCase())

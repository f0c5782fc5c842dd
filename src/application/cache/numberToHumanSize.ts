/**
 * Rails' `number_to_human_size` with its English defaults, which GitLab uses for `dependencyProxyTotalSize`:
 * powers of 1024 labelled KB, MB, GB… (not KiB), three significant digits rounded half up on the decimal
 * value, insignificant zeros dropped, and "Byte"/"Bytes" below 1 KB. So 72 MiB reads "72 MB", 1234 bytes
 * "1.21 KB", 1048575 bytes "1020 KB". Clients that compare GitLab's text expect exactly this.
 */
const UNITS = ["Bytes", "KB", "MB", "GB", "TB", "PB", "EB", "ZB"] as const
const SIGNIFICANT = 3

/** A finite number's exact decimal text (JavaScript's shortest round-trip form, as Ruby's Float#to_s). */
const decimalOf = (x: number): { readonly digits: bigint; readonly scale: number } => {
  const text = String(x)
  if (/e/i.test(text)) throw new RangeError(`numberToHumanSize: ${text} is outside the range it formats`)
  const [whole = "0", fraction = ""] = text.split(".")
  return { digits: BigInt(whole + fraction), scale: fraction.length }
}

const digitCount = (x: number): number => (x === 0 ? 1 : Math.floor(Math.log10(Math.abs(x)) + 1))

/** `x` rounded half up to `places` decimals (negative: tens, hundreds…), as BigDecimal#round does. */
const roundHalfUp = (x: number, places: number): { readonly digits: bigint; readonly scale: number } => {
  const { digits, scale } = decimalOf(x)
  if (places >= scale) return { digits, scale }
  const divisor = 10n ** BigInt(scale - places)
  const quotient = digits / divisor + ((digits % divisor) * 2n >= divisor ? 1n : 0n)
  return places >= 0 ? { digits: quotient, scale: places } : { digits: quotient * 10n ** BigInt(-places), scale: 0 }
}

const textOf = ({ digits, scale }: { readonly digits: bigint; readonly scale: number }): string => {
  const padded = digits.toString().padStart(scale + 1, "0")
  return scale === 0 ? padded : `${padded.slice(0, -scale)}.${padded.slice(-scale)}`
}

/** Three significant digits, then Rails' `strip_insignificant_zeros`. */
const significant = (x: number): string => {
  const rounded = roundHalfUp(x, SIGNIFICANT - digitCount(x))
  const text = textOf(rounded)
  const decimals = Math.max(SIGNIFICANT - digitCount(Number(text)), 0)
  const [whole = "0", fraction = ""] = text.split(".")
  const fixed = decimals === 0 ? whole : `${whole}.${fraction.padEnd(decimals, "0").slice(0, decimals)}`
  return fixed.replace(/(\.)(\d*[1-9])?0+$/, "$1$2").replace(/\.$/, "")
}

export const numberToHumanSize = (bytes: number): string => {
  const whole = Math.trunc(bytes)
  if (Math.abs(whole) < 1024) return `${whole} ${whole === 1 ? "Byte" : "Bytes"}`
  const exponent = Math.min(Math.trunc(Math.log(Math.abs(bytes)) / Math.log(1024)), UNITS.length - 1)
  return `${significant(bytes / 1024 ** exponent)} ${UNITS[exponent]}`
}

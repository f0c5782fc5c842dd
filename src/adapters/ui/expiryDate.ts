/** `YYYY-MM-DD` as that day's start (UTC midnight, as GitLab stores `expires_at`); empty: none. */
export const parseExpiry = (value: string): Date | null | "invalid" => {
  if (value === "") return null
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return "invalid"
  const date = new Date(`${value}T00:00:00Z`)
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value ? "invalid" : date
}

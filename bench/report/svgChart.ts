import { type Figure, ratioOf, verdictOf } from "./Figure.js"
import { formatNumber } from "./format.js"

const PANEL_WIDTH = 300
const PANEL_HEIGHT = 210
const COLUMNS = 3
const OURS = "#1f78b4"
const THEIRS = "#9e9e9e"

const escape = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

const text = (x: number, y: number, content: string, attributes = ""): string =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attributes}>${escape(content)}</text>`

/** One bar with a min–max whisker and its median printed above. */
const bar = (x: number, width: number, baseline: number, scale: number, summary: Figure["ours"], colour: string, label: string): string => {
  const top = baseline - summary.median * scale
  const whiskerTop = baseline - summary.max * scale
  const whiskerBottom = baseline - summary.min * scale
  const middle = x + width / 2
  return [
    `<rect x="${x}" y="${top.toFixed(1)}" width="${width}" height="${(summary.median * scale).toFixed(1)}" fill="${colour}"/>`,
    `<line x1="${middle}" x2="${middle}" y1="${whiskerTop.toFixed(1)}" y2="${whiskerBottom.toFixed(1)}" stroke="#222" stroke-width="1.5"/>`,
    `<line x1="${middle - 6}" x2="${middle + 6}" y1="${whiskerTop.toFixed(1)}" y2="${whiskerTop.toFixed(1)}" stroke="#222"/>`,
    `<line x1="${middle - 6}" x2="${middle + 6}" y1="${whiskerBottom.toFixed(1)}" y2="${whiskerBottom.toFixed(1)}" stroke="#222"/>`,
    text(middle, Math.min(top, whiskerTop) - 5, formatNumber(summary.median), `text-anchor="middle" font-size="11"`),
    text(middle, baseline + 14, label, `text-anchor="middle" font-size="11"`)
  ].join("")
}

const panel = (figure: Figure, index: number): string => {
  const x0 = (index % COLUMNS) * PANEL_WIDTH
  const y0 = Math.floor(index / COLUMNS) * PANEL_HEIGHT + 40
  const baseline = y0 + PANEL_HEIGHT - 40
  const highest = Math.max(figure.ours.max, figure.theirs?.max ?? 0, Number.EPSILON)
  const scale = (PANEL_HEIGHT - 95) / highest
  const ratio = ratioOf(figure)
  const verdict = verdictOf(figure)
  const mark = verdict === null ? "" : verdict ? " ✓" : " ✗"
  return [
    `<g>`,
    text(x0 + 10, y0 + 16, `${figure.scenario.split(" ")[0] ?? ""} ${figure.metric}`, `font-size="12" font-weight="bold"`),
    text(x0 + 10, y0 + 31, `${figure.unit}${ratio === null ? "" : `, ours ÷ distribution ${formatNumber(ratio)}`}${mark}`, `font-size="11" fill="#555"`),
    `<line x1="${x0 + 30}" x2="${x0 + PANEL_WIDTH - 30}" y1="${baseline}" y2="${baseline}" stroke="#444"/>`,
    bar(x0 + 70, 60, baseline, scale, figure.ours, OURS, "ours"),
    figure.theirs === null ? "" : bar(x0 + 170, 60, baseline, scale, figure.theirs, THEIRS, "distribution"),
    `</g>`
  ].join("")
}

/**
 * Bars of the medians with min–max whiskers, one panel per figure measured on both caches. Hand-written
 * SVG: a results file should not need a plotting library to be regenerated.
 */
export const svgChart = (figures: ReadonlyArray<Figure>, title: string): string => {
  const charted = figures.filter((figure) => figure.theirs !== null)
  const rows = Math.ceil(charted.length / COLUMNS)
  const width = COLUMNS * PANEL_WIDTH
  const height = rows * PANEL_HEIGHT + 50
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    text(10, 22, title, `font-size="15" font-weight="bold"`),
    text(width - 10, 22, "bar: median; whisker: min–max of rounds", `font-size="11" text-anchor="end" fill="#555"`),
    ...charted.map(panel),
    `</svg>`,
    ""
  ].join("\n")
}

import { Layer, Logger, LogLevel } from "effect"
import type { Config } from "../config.js"

const LOG_LEVELS: Record<Config["logLevel"], LogLevel.LogLevel> = {
  fatal: LogLevel.Fatal,
  error: LogLevel.Error,
  warn: LogLevel.Warning,
  info: LogLevel.Info,
  debug: LogLevel.Debug,
  trace: LogLevel.Trace
}

/**
 * The application's own log lines as JSON at LOG_LEVEL: on stdout beside Fastify's request log for `serve`,
 * on stderr for the CLI, whose stdout is its result.
 */
export const loggingLayer = (config: Config, to: "stdout" | "stderr") =>
  Layer.merge(
    to === "stdout" ? Logger.json : Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.jsonLogger)),
    Logger.minimumLogLevel(LOG_LEVELS[config.logLevel])
  )


import { Schema } from "effect"

export const TokenKind = Schema.Literal("personal", "deploy", "group_access", "job")
export type TokenKind = typeof TokenKind.Type

/** A recognisable prefix per kind, so a leaked token can be told apart (and found by secret scanners). */
export const tokenPrefix: Record<TokenKind, string> = {
  personal: "glpat-",
  deploy: "gldt-",
  group_access: "glgat-",
  job: "glcbt-"
}

/** Scopes each kind of token may be created with, as GitLab lists them. */
export const allowedScopes: Record<TokenKind, ReadonlyArray<string>> = {
  personal: [
    "api",
    "read_api",
    "read_user",
    "read_repository",
    "write_repository",
    "read_registry",
    "write_registry",
    "read_virtual_registry",
    "write_virtual_registry",
    "sudo",
    "admin_mode",
    "create_runner",
    "manage_runner",
    "ai_features",
    "k8s_proxy",
    "self_rotate"
  ],
  group_access: [
    "api",
    "read_api",
    "read_repository",
    "write_repository",
    "read_registry",
    "write_registry",
    "read_virtual_registry",
    "write_virtual_registry",
    "create_runner",
    "manage_runner",
    "ai_features",
    "k8s_proxy",
    "self_rotate"
  ],
  deploy: [
    "read_repository",
    "read_registry",
    "write_registry",
    "read_package_registry",
    "write_package_registry",
    "read_virtual_registry",
    "write_virtual_registry"
  ],
  job: ["read_registry"]
}

/** A job token's rights are fixed: it may pull through the dependency proxy as the job's user. */
export const JOB_TOKEN_SCOPES: ReadonlyArray<string> = ["read_registry"]

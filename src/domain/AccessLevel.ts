import { Schema } from "effect"

/** GitLab's membership roles and their numeric access levels, as the API shows them. */
export const AccessLevels = { guest: 10, reporter: 20, developer: 30, maintainer: 40, owner: 50 } as const

export const AccessLevel = Schema.Literal(10, 20, 30, 40, 50)
export type AccessLevel = typeof AccessLevel.Type

export const accessLevelName = (level: AccessLevel): string => {
  switch (level) {
    case 10:
      return "Guest"
    case 20:
      return "Reporter"
    case 30:
      return "Developer"
    case 40:
      return "Maintainer"
    case 50:
      return "Owner"
  }
}

export const isAccessLevel = Schema.is(AccessLevel)

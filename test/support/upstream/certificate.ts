import { type KeyObject, X509Certificate, createPrivateKey } from "node:crypto"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { requireTool, runChecked } from "./tools.js"

export interface SigningCertificate {
  /** PEM file the registry trusts (`auth.token.rootcertbundle`). */
  readonly certPath: string
  readonly privateKey: KeyObject
  /** Base64 (not base64url) DER, as the JWS `x5c` header wants it. */
  readonly x5c: string
}

/**
 * A throwaway self-signed P-256 certificate. distribution 2.8 only accepts a token whose signing key it can
 * tie to `rootcertbundle`, either by an `x5c` chain or a libtrust `kid`; a self-signed cert in `x5c` that is
 * itself the root is the simplest of the two.
 */
export const generateSigningCertificate = async (dir: string): Promise<SigningCertificate> => {
  const openssl = await requireTool("openssl", "openssl")
  const certPath = join(dir, "token-cert.pem")
  const keyPath = join(dir, "token-key.pem")
  await runChecked(openssl, [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
    "-subj", "/CN=test-token-server", "-keyout", keyPath, "-out", certPath
  ])
  const certificate = new X509Certificate(await readFile(certPath))
  return {
    certPath,
    privateKey: createPrivateKey(await readFile(keyPath)),
    x5c: certificate.raw.toString("base64")
  }
}

import { Effect } from "effect"
import * as MemoryBlobStore from "../../src/adapters/memory/MemoryBlobStore.js"
import { BlobStore } from "../../src/application/ports/BlobStore.js"
import { blobStoreContract } from "./blobStoreContract.js"

// Providing the layer inside the test's effect builds a new, empty store for every test.
blobStoreContract("MemoryBlobStore", { _tag: "Opaque", fresh: BlobStore.pipe(Effect.provide(MemoryBlobStore.layer)) })

import * as MemoryEventStore from "../../src/adapters/memory/MemoryEventStore.js"
import * as MemoryIdSequence from "../../src/adapters/memory/MemoryIdSequence.js"
import { eventStoreContract } from "./eventStoreContract.js"
import { idSequenceContract } from "./idSequenceContract.js"

eventStoreContract("MemoryEventStore", MemoryEventStore.layer)
idSequenceContract("MemoryIdSequence", MemoryIdSequence.layer)

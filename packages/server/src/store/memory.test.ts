import { createManualClock } from '../emulator/world'
import { describeStoreConformance } from './conformance'
import { createMemoryStore } from './memory'

const clock = createManualClock()

describeStoreConformance('memory store', {
  open: async () => ({ store: createMemoryStore({ clock }) }),
  elapse: async (ms) => clock.advance(ms),
  shared: false,
  durable: false,
})

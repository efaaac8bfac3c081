import os from 'node:os'

export interface Machine {
  cores: number
  cpuModel: string
  memoryBytes: number
  node: string
  platform: string
  arch: string
}

/** The machine the figures were measured on; ratios travel between machines, absolute times don't. */
export function describeMachine(): Machine {
  const cpus = os.cpus()
  return {
    cores: os.availableParallelism?.() ?? cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryBytes: os.totalmem(),
    node: process.version,
    platform: os.platform(),
    arch: os.arch(),
  }
}

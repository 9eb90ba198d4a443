import type { Architecture } from './domain.js';

/** The architecture of this machine, in Docker's spelling, or undefined for any other CPU. */
export function hostArchitecture(nodeArch: string = process.arch): Architecture | undefined {
  if (nodeArch === 'x64') return 'amd64';
  if (nodeArch === 'arm64') return 'arm64';
  return undefined;
}

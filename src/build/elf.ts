import { open } from 'node:fs/promises';
import type { Architecture } from '../domain.js';

/** The ELF e_machine value of each architecture's binaries. */
export const ELF_MACHINE: Record<Architecture, number> = { amd64: 0x3e, arm64: 0xb7 };

const MACHINE_NAMES: Record<number, string> = {
  0x03: 'x86 (32-bit)',
  0x28: 'ARM (32-bit)',
  0x3e: 'x86-64',
  0xb7: 'AArch64',
};

export const machineName = (machine: number): string =>
  MACHINE_NAMES[machine] ?? `machine 0x${machine.toString(16)}`;

/**
 * The e_machine field of an ELF file's header, or undefined when the file is not ELF (a script,
 * say). e_machine is the 16-bit field at offset 18, in the byte order named by EI_DATA (byte 5).
 */
export async function readElfMachine(path: string): Promise<number | undefined> {
  const file = await open(path, 'r');
  try {
    const header = Buffer.alloc(20);
    const { bytesRead } = await file.read(header, 0, header.length, 0);
    if (bytesRead < header.length || header.readUInt32BE(0) !== 0x7f454c46) return undefined;
    return header[5] === 2 ? header.readUInt16BE(18) : header.readUInt16LE(18);
  } finally {
    await file.close();
  }
}

// Files the CLI writes: checked before the work starts, written whole or not at all.
import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InvalidArgumentError, NeuriteError } from '../errors.js';

/** Why a file system call failed, in words, from its error code. */
function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'ENOENT') return 'its directory does not exist';
  if (code === 'ENOTDIR') return 'a part of its path is not a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOSPC') return 'no space left on the device';
  return (error as Error).message.split('\n')[0]!;
}

/** Fails fast, naming `option`, when `file` cannot be written: it is a directory, or its directory is missing. */
export function checkWritable(file: string, option: string): void {
  const target = statSync(file, { throwIfNoEntry: false });
  if (target?.isDirectory()) throw new InvalidArgumentError(`${option} ${file} is a directory; give a file name`, option);
  const folder = statSync(dirname(file), { throwIfNoEntry: false });
  if (!folder?.isDirectory()) throw new InvalidArgumentError(`${option} ${file}: the directory ${dirname(file)} does not exist`, option);
}

/**
 * Writes `bytes` to `file` through a temporary file in the same directory, renamed over `file` once complete:
 * a failure or a crash leaves the old `file` as it was and no temporary file behind.
 * @throws NeuriteError naming the file, with the reason in words
 */
export function writeAtomic(file: string, bytes: string | Uint8Array): void {
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    const fd = openSync(temporary, 'wx');
    try {
      const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
      for (let written = 0; written < data.length;) written += writeSync(fd, data, written, data.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // The temporary file was never created, or is already gone.
    }
    throw new NeuriteError(`cannot write ${file}: ${reason(error)}`, 'file');
  }
}

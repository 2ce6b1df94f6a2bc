// Edits the kernels' .wasm bytes before compiling: one build per variant (simd, plain) serves a shared or an
// unshared memory, and a worker's copy that must neither re-apply data segments nor lose the start's globals.

/** Where the mutable globals are exported: `~g` is no AssemblyScript identifier, so no kernel export collides. */
export const GLOBAL_EXPORT_PREFIX = '~g';

const SECTION_IMPORT = 2, SECTION_GLOBAL = 6, SECTION_EXPORT = 7, SECTION_DATA = 11, SECTION_DATA_COUNT = 12;
const KIND_GLOBAL = 3;
const V128 = 0x7b;

/** How to patch: the memory import's sharing, and whether this is a worker's copy (no data segments). */
export interface PatchOptions {
  shared: boolean;
  worker: boolean;
}

/** The patched bytes and the page count the module's memory import asks for at least. */
export interface Patched {
  bytes: Uint8Array<ArrayBuffer>;
  initialPages: number;
}

class Reader {
  constructor(readonly bytes: Uint8Array, public at: number) {}

  byte(): number {
    return this.bytes[this.at++]!;
  }

  unsigned(): number {
    let result = 0, shift = 0, byte: number;
    do {
      byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  }

  skip(n: number): void {
    this.at += n;
  }

  name(): string {
    const length = this.unsigned();
    const text = String.fromCharCode(...this.bytes.subarray(this.at, this.at + length));
    this.at += length;
    return text;
  }

  limits(): { flagAt: number; min: number } {
    const flagAt = this.at;
    const flag = this.byte();
    const min = this.unsigned();
    if (flag & 1) this.unsigned();
    return { flagAt, min };
  }

  // A constant expression (a global's initializer): the opcodes the MVP, SIMD and reference types allow there.
  constant(): void {
    for (;;) {
      const op = this.byte();
      if (op === 0x0b) return;
      if (op === 0x41 || op === 0x42 || op === 0x23 || op === 0xd2) this.signedOrIndex();
      else if (op === 0x43) this.skip(4);
      else if (op === 0x44) this.skip(8);
      else if (op === 0xd0) this.skip(1);
      else if (op === 0xfd) {
        this.unsigned();
        this.skip(16);
      } else throw new Error(`unexpected opcode 0x${op.toString(16)} in a global's initializer`);
    }
  }

  private signedOrIndex(): void {
    while (this.byte() & 0x80);
  }
}

function pushUnsigned(out: number[], value: number): void {
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
}

function pushName(out: number[], text: string): void {
  pushUnsigned(out, text.length);
  for (let i = 0; i < text.length; i++) out.push(text.charCodeAt(i));
}

/**
 * Patches a module built with an imported shared memory (asconfig.json): the memory import's limits flag becomes
 * unshared (0x01) when `shared` is false; every mutable global is exported as `~g<index>` so that a worker can
 * take the values the main instance's start function left; a worker's copy drops the data (and data count)
 * sections, which would otherwise be written again over live memory.
 */
export function patchModule(source: Uint8Array, { shared, worker }: PatchOptions): Patched {
  const bytes = source.slice();
  const sections: { id: number; start: number; end: number; payload: number }[] = [];
  const r = new Reader(bytes, 8);
  while (r.at < bytes.length) {
    const start = r.at;
    const id = r.byte();
    const size = r.unsigned();
    sections.push({ id, start, end: r.at + size, payload: r.at });
    r.at += size;
  }
  let importedGlobals = 0, initialPages = -1;
  const mutable: number[] = [];
  let exportSection: { count: number; entries: Uint8Array } | null = null;
  for (const s of sections) {
    const p = new Reader(bytes, s.payload);
    if (s.id === SECTION_IMPORT) {
      for (let n = p.unsigned(); n > 0; n--) {
        p.name();
        p.name();
        const kind = p.byte();
        if (kind === 0 || kind === 4) {
          if (kind === 4) p.byte();
          p.unsigned();
        } else if (kind === 1) {
          p.byte();
          p.limits();
        } else if (kind === 2) {
          const { flagAt, min } = p.limits();
          if ((bytes[flagAt]! & 2) === 0) throw new Error('the memory import is not shared: build with --sharedMemory');
          if (!shared) bytes[flagAt] = bytes[flagAt]! & ~2;
          initialPages = min;
        } else {
          p.skip(2);
          importedGlobals++;
        }
      }
    } else if (s.id === SECTION_GLOBAL) {
      for (let n = p.unsigned(), i = 0; i < n; i++) {
        const type = p.byte();
        if (p.byte() === 1 && type !== V128) mutable.push(importedGlobals + i);
        p.constant();
      }
    } else if (s.id === SECTION_EXPORT) {
      const count = p.unsigned();
      exportSection = { count, entries: bytes.subarray(p.at, s.end) };
    }
  }
  if (initialPages < 0) throw new Error('the module imports no memory: build with --importMemory');
  const out: number[] = [];
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  for (const s of sections) {
    if (worker && (s.id === SECTION_DATA || s.id === SECTION_DATA_COUNT)) continue;
    if (s.id !== SECTION_EXPORT) {
      parts.push(bytes.subarray(s.start, s.end));
      continue;
    }
    const added: number[] = [];
    for (const index of mutable) {
      pushName(added, GLOBAL_EXPORT_PREFIX + index);
      added.push(KIND_GLOBAL);
      pushUnsigned(added, index);
    }
    const head: number[] = [];
    pushUnsigned(head, exportSection!.count + mutable.length);
    const size = head.length + exportSection!.entries.length + added.length;
    out.length = 0;
    out.push(SECTION_EXPORT);
    pushUnsigned(out, size);
    parts.push(Uint8Array.from(out), Uint8Array.from(head), exportSection!.entries, Uint8Array.from(added));
  }
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const patched = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    patched.set(part, offset);
    offset += part.length;
  }
  return { bytes: patched, initialPages };
}

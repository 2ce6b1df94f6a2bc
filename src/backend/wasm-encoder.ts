// A minimal WebAssembly binary writer: one module of one exported function with imports, enough for the
// straight-line f64 code src/backend/specialized.ts generates. Opcodes are from the WebAssembly core spec.

/** Value types of locals, parameters and results. */
export const I32 = 0x7f;
export const F64 = 0x7c;
type ValueType = typeof I32 | typeof F64;

/** Opcodes without immediates, by their text-format names. */
export const Op = {
  else: 0x05, end: 0x0b, select: 0x1b,
  i32Eqz: 0x45, i32Eq: 0x46, i32LtS: 0x48,
  f64Eq: 0x61, f64Ne: 0x62, f64Lt: 0x63, f64Gt: 0x64, f64Le: 0x65, f64Ge: 0x66,
  i32Add: 0x6a, i32Mul: 0x6c, i32And: 0x71, i32Or: 0x72, i32Shl: 0x74, i32ShrS: 0x75,
  i64Shl: 0x86,
  f64Abs: 0x99, f64Neg: 0x9a, f64Sqrt: 0x9f, f64Add: 0xa0, f64Sub: 0xa1, f64Mul: 0xa2, f64Div: 0xa3,
  f64Max: 0xa5, i32WrapI64: 0xa7, i64ExtendI32S: 0xac, f64ConvertI32S: 0xb7, i64ReinterpretF64: 0xbd,
  f64ReinterpretI64: 0xbf,
} as const;

function unsigned(out: number[], value: number): void {
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
}

function signed(out: number[], value: bigint): void {
  for (;;) {
    const byte = Number(value & 0x7fn);
    value >>= 7n;
    if ((value === 0n && (byte & 0x40) === 0) || (value === -1n && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

// Appends with a loop: push(...bytes) passes each byte as an argument, and a large body would overflow the stack.
function append(out: number[], bytes: readonly number[]): void {
  for (const byte of bytes) out.push(byte);
}

function name(out: number[], text: string): void {
  unsigned(out, text.length);
  for (let i = 0; i < text.length; i++) out.push(text.charCodeAt(i));
}

/**
 * One function's body: its locals and its instructions, appended in order. Each method appends the instruction
 * of its name (`get` is local.get, `f64` is f64.const, `loadF64` is f64.load, ...) and returns the body, so
 * instructions chain in stack order.
 */
export class FunctionBody {
  private readonly code: number[] = [];
  private readonly locals: ValueType[] = [];
  constructor(readonly params: readonly ValueType[], readonly results: readonly ValueType[]) {}

  /** A new local of `type`; returns its index. */
  local(type: ValueType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  op(...opcodes: number[]): this {
    this.code.push(...opcodes);
    return this;
  }

  /** An instruction whose one immediate is an index (a local, a branch depth, a function). */
  private indexed(opcode: number, index: number): this {
    this.code.push(opcode);
    unsigned(this.code, index);
    return this;
  }

  get(local: number): this { return this.indexed(0x20, local); }
  set(local: number): this { return this.indexed(0x21, local); }
  tee(local: number): this { return this.indexed(0x22, local); }
  br(depth: number): this { return this.indexed(0x0c, depth); }
  brIf(depth: number): this { return this.indexed(0x0d, depth); }
  call(func: number): this { return this.indexed(0x10, func); }

  f64(value: number): this {
    const bytes = new Uint8Array(Float64Array.of(value).buffer);
    this.code.push(0x44, ...bytes);
    return this;
  }

  i32(value: number): this {
    this.code.push(0x41);
    signed(this.code, BigInt(value | 0));
    return this;
  }

  i64(value: bigint): this {
    this.code.push(0x42);
    signed(this.code, value);
    return this;
  }

  private memory(opcode: number, align: number, offset: number): this {
    this.code.push(opcode, align);
    unsigned(this.code, offset);
    return this;
  }

  /** f64.load at the address on the stack + `offset` bytes. */
  loadF64(offset = 0): this { return this.memory(0x2b, 3, offset); }
  /** f64.store (address, value on the stack) at + `offset` bytes. */
  storeF64(offset = 0): this { return this.memory(0x39, 3, offset); }
  loadI32(offset = 0): this { return this.memory(0x28, 2, offset); }
  storeI32(offset = 0): this { return this.memory(0x36, 2, offset); }

  // block, loop and if, all without a result.
  block(): this { return this.op(0x02, 0x40); }
  loop(): this { return this.op(0x03, 0x40); }
  if(): this { return this.op(0x04, 0x40); }

  /** The body's bytes: size, local declarations (runs of one type), code, end. */
  encode(): number[] {
    const body: number[] = [];
    const runs: [number, ValueType][] = [];
    for (const type of this.locals) {
      const last = runs.at(-1);
      if (last && last[1] === type) last[0]++;
      else runs.push([1, type]);
    }
    unsigned(body, runs.length);
    for (const [count, type] of runs) {
      unsigned(body, count);
      body.push(type);
    }
    append(body, this.code);
    body.push(Op.end);
    const out: number[] = [];
    unsigned(out, body.length);
    append(out, body);
    return out;
  }
}

/** A function imported from module `env`. */
export interface FunctionImport {
  readonly name: string;
  readonly params: readonly ValueType[];
  readonly results: readonly ValueType[];
}

function section(out: number[], id: number, content: number[]): void {
  out.push(id);
  unsigned(out, content.length);
  append(out, content);
}

function functionType(out: number[], params: readonly ValueType[], results: readonly ValueType[]): void {
  out.push(0x60);
  unsigned(out, params.length);
  out.push(...params);
  unsigned(out, results.length);
  out.push(...results);
}

/** Pages in a shared memory's maximum: a shared memory import must declare one, and neurite's memory has this one. */
export const MAX_PAGES = 65536;

/**
 * A module importing `env.memory` (shared when `shared`) and `functions` (indices 0, 1, ... in that order)
 * and exporting `body` (the next index) as `exportName`.
 */
export function encodeModule(functions: readonly FunctionImport[], body: FunctionBody, exportName: string, shared = false): Uint8Array<ArrayBuffer> {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  unsigned(types, functions.length + 1);
  for (const f of functions) functionType(types, f.params, f.results);
  functionType(types, body.params, body.results);
  section(out, 1, types);
  const imports: number[] = [];
  unsigned(imports, functions.length + 1);
  name(imports, 'env');
  name(imports, 'memory');
  // Memory, minimum 0 pages; a shared memory's import is flagged shared (0x03) and needs a maximum.
  if (shared) {
    imports.push(0x02, 0x03, 0x00);
    unsigned(imports, MAX_PAGES);
  } else {
    imports.push(0x02, 0x00, 0x00);
  }
  functions.forEach((f, i) => {
    name(imports, 'env');
    name(imports, f.name);
    imports.push(0x00);
    unsigned(imports, i);
  });
  section(out, 2, imports);
  const declared: number[] = [1];
  unsigned(declared, functions.length);
  section(out, 3, declared);
  const exports: number[] = [1];
  name(exports, exportName);
  exports.push(0x00);
  unsigned(exports, functions.length);
  section(out, 7, exports);
  const code = [1];
  append(code, body.encode());
  section(out, 10, code);
  return new Uint8Array(out);
}

import fs from 'node:fs';

/** What a GGUF file says about itself, read from its header without loading the weights. */
export interface GgufInfo {
  file: string;
  fileSize: number;
  version: number;
  architecture: string | null;
  name: string | null;
  parameterCount: number;
  fileType: string | null;
  contextLength: number | null;
  tensorCount: number;
  metadata: Record<string, string | number | boolean>;
}

export class GgufError extends Error {}

// llama_ftype from llama.h: the quantization a file was made with.
const FILE_TYPES = [
  'F32', 'F16', 'Q4_0', 'Q4_1', 'Q4_1_SOME_F16', 'Q4_2', 'Q4_3', 'Q8_0', 'Q5_0', 'Q5_1', 'Q2_K', 'Q3_K_S', 'Q3_K_M', 'Q3_K_L',
  'Q4_K_S', 'Q4_K_M', 'Q5_K_S', 'Q5_K_M', 'Q6_K', 'IQ2_XXS', 'IQ2_XS', 'Q2_K_S', 'IQ3_XS', 'IQ3_XXS', 'IQ1_S', 'IQ4_NL', 'IQ3_S',
  'IQ3_M', 'IQ2_S', 'IQ2_M', 'IQ4_XS', 'IQ1_M', 'BF16', 'Q4_0_4_4', 'Q4_0_4_8', 'Q4_0_8_8', 'TQ1_0', 'TQ2_0',
];

const MAX_STRING = 16 * 1024 * 1024;
const MAX_ARRAY = 1 << 26;

/** Reads little-endian values from a file on demand, in 1 MiB windows: headers of big models stay cheap. */
class Reader {
  private buf = Buffer.alloc(0);
  private bufStart = 0;
  pos = 0;

  constructor(private readonly fd: number, readonly size: number, private readonly file: string) {}

  need(n: number): Buffer {
    if (this.pos + n > this.size) throw new GgufError(`${this.file}: truncated GGUF file (needs ${this.pos + n} bytes, has ${this.size})`);
    if (this.pos < this.bufStart || this.pos + n > this.bufStart + this.buf.length) {
      const len = Math.min(Math.max(n, 1024 * 1024), this.size - this.pos);
      this.buf = Buffer.alloc(len);
      fs.readSync(this.fd, this.buf, 0, len, this.pos);
      this.bufStart = this.pos;
    }
    const at = this.pos - this.bufStart;
    this.pos += n;
    return this.buf.subarray(at, at + n);
  }

  u8 = () => this.need(1).readUInt8(0);
  i8 = () => this.need(1).readInt8(0);
  u16 = () => this.need(2).readUInt16LE(0);
  i16 = () => this.need(2).readInt16LE(0);
  u32 = () => this.need(4).readUInt32LE(0);
  i32 = () => this.need(4).readInt32LE(0);
  f32 = () => this.need(4).readFloatLE(0);
  f64 = () => this.need(8).readDoubleLE(0);
  u64 = () => Number(this.need(8).readBigUInt64LE(0));
  i64 = () => Number(this.need(8).readBigInt64LE(0));
  string = () => {
    const len = this.u64();
    if (len > MAX_STRING) throw new GgufError(`${this.file}: damaged GGUF header (a ${len}-byte string at offset ${this.pos - 8})`);
    return this.need(len).toString('utf8');
  };
  skip = (n: number) => {
    if (this.pos + n > this.size) throw new GgufError(`${this.file}: truncated GGUF file`);
    this.pos += n;
  };
}

const SCALAR_SIZES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

function readValue(r: Reader, type: number, file: string): string | number | boolean | null {
  switch (type) {
    case 0: return r.u8();
    case 1: return r.i8();
    case 2: return r.u16();
    case 3: return r.i16();
    case 4: return r.u32();
    case 5: return r.i32();
    case 6: return r.f32();
    case 7: return r.u8() !== 0;
    case 8: return r.string();
    case 10: return r.u64();
    case 11: return r.i64();
    case 12: return r.f64();
    case 9: {
      // Arrays (the tokenizer's vocabulary) are skipped: only their length is kept.
      const itemType = r.u32();
      const count = r.u64();
      if (count > MAX_ARRAY) throw new GgufError(`${file}: damaged GGUF header (an array of ${count} items)`);
      if (itemType === 8) for (let i = 0; i < count; i++) r.skip(r.u64());
      else if (SCALAR_SIZES[itemType] !== undefined) r.skip(SCALAR_SIZES[itemType]! * count);
      else for (let i = 0; i < count; i++) readValue(r, itemType, file);
      return null;
    }
    default:
      throw new GgufError(`${file}: damaged GGUF header (unknown value type ${type} at offset ${r.pos - 4})`);
  }
}

/** Parses a GGUF header (v2/v3). A non-GGUF or truncated file is a GgufError naming it, never a crash. */
export function readGguf(file: string): GgufInfo {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    throw new GgufError(`${file}: cannot open (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    const size = fs.fstatSync(fd).size;
    const r = new Reader(fd, size, file);
    if (size < 4 || r.need(4).toString('latin1') !== 'GGUF') throw new GgufError(`${file}: not a GGUF file (no GGUF magic at the start)`);
    const version = r.u32();
    if (version < 2 || version > 3) throw new GgufError(`${file}: unsupported GGUF version ${version}`);
    const tensorCount = r.u64();
    const kvCount = r.u64();
    if (kvCount > 1_000_000 || tensorCount > 10_000_000) throw new GgufError(`${file}: damaged GGUF header (${kvCount} keys, ${tensorCount} tensors)`);
    const metadata: Record<string, string | number | boolean> = {};
    for (let i = 0; i < kvCount; i++) {
      const key = r.string();
      const value = readValue(r, r.u32(), file);
      if (value !== null) metadata[key] = value;
    }
    let parameterCount = 0;
    for (let i = 0; i < tensorCount; i++) {
      r.string();
      const dims = r.u32();
      if (dims > 8) throw new GgufError(`${file}: damaged GGUF header (tensor with ${dims} dimensions)`);
      let elements = 1;
      for (let d = 0; d < dims; d++) elements *= r.u64();
      r.u32(); // tensor type
      r.u64(); // offset
      parameterCount += elements;
    }
    const architecture = typeof metadata['general.architecture'] === 'string' ? metadata['general.architecture'] : null;
    const fileTypeId = metadata['general.file_type'];
    const context = architecture ? metadata[`${architecture}.context_length`] : undefined;
    return {
      file,
      fileSize: size,
      version,
      architecture,
      name: typeof metadata['general.name'] === 'string' ? metadata['general.name'] : null,
      parameterCount,
      fileType: typeof fileTypeId === 'number' ? (FILE_TYPES[fileTypeId] ?? `type ${fileTypeId}`) : null,
      contextLength: typeof context === 'number' ? context : null,
      tensorCount,
      metadata,
    };
  } finally {
    fs.closeSync(fd);
  }
}

/** 4180000 → "4.18M", 7241732096 → "7.24B". */
export function formatParameters(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}

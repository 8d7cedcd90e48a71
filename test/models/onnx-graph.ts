/**
 * A minimal ONNX graph builder over `onnx-proto`, used to generate the tiny test models and the
 * random-weight benchmark models. It knows just enough of ONNX to write float32 / int64 / uint8
 * initializers, nodes with attributes (in the default domain or another one, such as onnxruntime's
 * `com.microsoft` contrib ops), and graph inputs / outputs with symbolic dimensions.
 *
 * Names are explicit where transformers.js cares about them (graph inputs and outputs); everything
 * in between gets a generated, unique name.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { onnx } from 'onnx-proto';

export const DEFAULT_OPSET = 17;

export type ElemType = 'float32' | 'int64' | 'uint8' | 'bool';
/** A dimension: a fixed size, or a symbolic name such as `batch_size`. */
export type Dim = number | string;

const DATA_TYPE: Record<ElemType, onnx.TensorProto.DataType> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  uint8: onnx.TensorProto.DataType.UINT8,
  bool: onnx.TensorProto.DataType.BOOL,
};

/** A float attribute (a plain number is written as an int attribute). */
export interface FloatAttr {
  readonly float: number;
}
/** A list-of-floats attribute. */
export interface FloatsAttr {
  readonly floats: readonly number[];
}
/** A tensor attribute (e.g. the `value` of a Constant or ConstantOfShape). */
export interface TensorAttr {
  readonly tensor: onnx.ITensorProto;
}
export type AttrValue = number | readonly number[] | string | FloatAttr | FloatsAttr | TensorAttr;
export type Attrs = Readonly<Record<string, AttrValue>>;

export const f = (value: number): FloatAttr => ({ float: value });
export const fs = (values: readonly number[]): FloatsAttr => ({ floats: values });

function isFloatAttr(v: AttrValue): v is FloatAttr {
  return typeof v === 'object' && 'float' in v;
}
function isFloatsAttr(v: AttrValue): v is FloatsAttr {
  return typeof v === 'object' && 'floats' in v;
}
function isTensorAttr(v: AttrValue): v is TensorAttr {
  return typeof v === 'object' && 'tensor' in v;
}

function toAttribute(name: string, value: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: use f(${value}) for floats`);
    return { name, type: T.INT, i: value };
  }
  if (typeof value === 'string') return { name, type: T.STRING, s: Buffer.from(value, 'utf8') };
  if (isFloatAttr(value)) return { name, type: T.FLOAT, f: value.float };
  if (isFloatsAttr(value)) return { name, type: T.FLOATS, floats: [...value.floats] };
  if (isTensorAttr(value)) return { name, type: T.TENSOR, t: value.tensor };
  return { name, type: T.INTS, ints: [...value] };
}

function toBytes(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function checkSize(name: string, dims: readonly number[], length: number): void {
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== length)
    throw new Error(`tensor ${name}: dims ${dims.join('x')} need ${size} values, got ${length}`);
}

/** A float32 tensor proto (data stored as little-endian raw bytes, which is what x86/ARM use). */
export function floatTensor(
  name: string,
  dims: readonly number[],
  data: Float32Array,
): onnx.ITensorProto {
  checkSize(name, dims, data.length);
  return { name, dims: [...dims], dataType: DATA_TYPE.float32, rawData: toBytes(data) };
}

/** An int64 tensor proto. */
export function int64Tensor(
  name: string,
  dims: readonly number[],
  data: readonly (number | bigint)[],
): onnx.ITensorProto {
  checkSize(name, dims, data.length);
  const values = BigInt64Array.from(data, (v) => BigInt(v));
  return { name, dims: [...dims], dataType: DATA_TYPE.int64, rawData: toBytes(values) };
}

/** A uint8 tensor proto (e.g. the packed 4-bit weights of a MatMulNBits node). */
export function uint8Tensor(
  name: string,
  dims: readonly number[],
  data: Uint8Array,
): onnx.ITensorProto {
  checkSize(name, dims, data.length);
  return { name, dims: [...dims], dataType: DATA_TYPE.uint8, rawData: data };
}

function valueInfo(name: string, elemType: ElemType, dims: readonly Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: DATA_TYPE[elemType],
        shape: {
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  };
}

export interface ModelMeta {
  readonly producerName?: string;
  readonly docString?: string;
  readonly opset?: number;
}

export class OnnxGraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private readonly scalarCache = new Map<string, string>();
  /** Operator domains other than the default one that nodes use (each needs an opset import). */
  private readonly domains = new Set<string>();
  private counter = 0;

  constructor(private readonly graphName: string) {}

  /** A value name with the given prefix that is not in use yet (claimed when used). */
  fresh(prefix: string): string {
    let name: string;
    do {
      name = `${prefix}_${this.counter++}`;
    } while (this.names.has(name));
    return name;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`duplicate value name ${name}`);
    this.names.add(name);
    return name;
  }

  input(name: string, elemType: ElemType, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(this.claim(name), elemType, dims));
    return name;
  }

  /** Declares `value` as a graph output called `name` (adds an Identity when the names differ). */
  output(name: string, elemType: ElemType, dims: readonly Dim[], value: string): string {
    if (value !== name)
      this.nodes.push({
        opType: 'Identity',
        input: [value],
        output: [this.claim(name)],
        name: `out_${name}`,
      });
    this.outputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  /** A float32 initializer; returns its name. */
  weight(name: string, dims: readonly number[], data: Float32Array): string {
    this.initializers.push(floatTensor(this.claim(name), dims, data));
    return name;
  }

  /** An int64 initializer; returns its name. */
  int64(name: string, dims: readonly number[], data: readonly (number | bigint)[]): string {
    this.initializers.push(int64Tensor(this.claim(name), dims, data));
    return name;
  }

  /** A uint8 initializer; returns its name. */
  uint8(name: string, dims: readonly number[], data: Uint8Array): string {
    this.initializers.push(uint8Tensor(this.claim(name), dims, data));
    return name;
  }

  /** A shared float32 scalar / 1-D constant (deduplicated by value). */
  constF(values: number | readonly number[]): string {
    const list = typeof values === 'number' ? [values] : values;
    const dims = typeof values === 'number' ? [] : [list.length];
    const key = `f:${dims.length}:${list.join(',')}`;
    const cached = this.scalarCache.get(key);
    if (cached !== undefined) return cached;
    const name = this.weight(this.fresh('const_f'), dims, Float32Array.from(list));
    this.scalarCache.set(key, name);
    return name;
  }

  /** A shared int64 scalar / 1-D constant (deduplicated by value). */
  constI(values: number | readonly number[]): string {
    const list = typeof values === 'number' ? [values] : values;
    const dims = typeof values === 'number' ? [] : [list.length];
    const key = `i:${dims.length}:${list.join(',')}`;
    const cached = this.scalarCache.get(key);
    if (cached !== undefined) return cached;
    const name = this.int64(this.fresh('const_i'), dims, list);
    this.scalarCache.set(key, name);
    return name;
  }

  /**
   * Adds a node with `outputCount` generated outputs and returns their names. `domain` names an
   * operator set other than ONNX's own (e.g. `com.microsoft`), imported at version 1.
   */
  nodeN(
    opType: string,
    inputs: readonly string[],
    outputCount: number,
    attrs: Attrs = {},
    domain = '',
  ): string[] {
    const outputs = Array.from({ length: outputCount }, () =>
      this.claim(this.fresh(opType.toLowerCase())),
    );
    if (domain !== '') this.domains.add(domain);
    this.nodes.push({
      opType,
      name: `${opType}_${this.nodes.length}`,
      input: [...inputs],
      output: outputs,
      attribute: Object.entries(attrs).map(([k, v]) => toAttribute(k, v)),
      ...(domain === '' ? {} : { domain }),
    });
    return outputs;
  }

  /** Adds a single-output node and returns the output's name. */
  op(opType: string, inputs: readonly string[], attrs: Attrs = {}, domain = ''): string {
    const [out] = this.nodeN(opType, inputs, 1, attrs, domain);
    if (out === undefined) throw new Error('unreachable');
    return out;
  }

  // Shorthands for the ops used most often.
  add(a: string, b: string): string {
    return this.op('Add', [a, b]);
  }
  sub(a: string, b: string): string {
    return this.op('Sub', [a, b]);
  }
  mul(a: string, b: string): string {
    return this.op('Mul', [a, b]);
  }
  div(a: string, b: string): string {
    return this.op('Div', [a, b]);
  }
  matmul(a: string, b: string): string {
    return this.op('MatMul', [a, b]);
  }
  gather(table: string, indices: string, axis = 0): string {
    return this.op('Gather', [table, indices], { axis });
  }
  reshape(x: string, shape: readonly number[]): string {
    return this.op('Reshape', [x, this.constI(shape)]);
  }
  transpose(x: string, perm: readonly number[]): string {
    return this.op('Transpose', [x], { perm });
  }
  unsqueeze(x: string, axes: readonly number[]): string {
    return this.op('Unsqueeze', [x, this.constI(axes)]);
  }
  cast(x: string, to: ElemType): string {
    return this.op('Cast', [x], { to: DATA_TYPE[to] });
  }
  /** The size of `x` along `axis`, as an int64 scalar. */
  dimOf(x: string, axis: number): string {
    return this.op('Gather', [this.op('Shape', [x]), this.constI(axis)], { axis: 0 });
  }
  /** `x · w + b` (b optional). */
  linear(x: string, w: string, b?: string): string {
    const y = this.matmul(x, w);
    return b === undefined ? y : this.add(y, b);
  }

  toModel(meta: ModelMeta = {}): onnx.ModelProto {
    return onnx.ModelProto.create({
      irVersion: onnx.Version.IR_VERSION,
      producerName: meta.producerName ?? 'ragd-test-models',
      producerVersion: '1',
      docString: meta.docString ?? '',
      opsetImport: [
        { domain: '', version: meta.opset ?? DEFAULT_OPSET },
        ...[...this.domains].map((domain) => ({ domain, version: 1 })),
      ],
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
  }

  serialize(meta: ModelMeta = {}): Uint8Array {
    return onnx.ModelProto.encode(this.toModel(meta)).finish();
  }

  /** Writes the model to `path` (creating folders); returns the number of bytes written. */
  save(path: string, meta: ModelMeta = {}): number {
    const bytes = this.serialize(meta);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
    return bytes.byteLength;
  }
}

/** mulberry32: a small, fast, seeded 32-bit PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded random numbers for weights. */
export class SeededRandom {
  private readonly next: () => number;
  private spare: number | undefined;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  uniform(): number {
    return this.next();
  }

  /** A standard normal sample (Box-Muller). */
  gaussian(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** `n` normal samples with the given standard deviation. */
  normal(n: number, std: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.gaussian() * std;
    return out;
  }

  /** `n` uniform samples in [-limit, limit). Cheaper than `normal` for large benchmark weights. */
  symmetric(n: number, limit: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = (this.next() * 2 - 1) * limit;
    return out;
  }
}

export function filled(n: number, value: number): Float32Array {
  return new Float32Array(n).fill(value);
}

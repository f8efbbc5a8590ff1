/** The ONNX messages (onnx.proto) that exportOnnx builds, as the plain objects schema.ts encodes. */

/** TensorProto.DataType values this exporter writes. */
export const TensorDataType = { FLOAT: 1, INT64: 7, BOOL: 9 } as const;

/** AttributeProto.AttributeType values this exporter writes. */
export const AttributeType = { FLOAT: 1, INT: 2, INTS: 7 } as const;

export interface OnnxAttribute {
  name: string;
  type: (typeof AttributeType)[keyof typeof AttributeType];
  f?: number;
  i?: number;
  ints?: number[];
}

export interface OnnxNode {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: OnnxAttribute[];
}

export interface OnnxTensor {
  name: string;
  dataType: (typeof TensorDataType)[keyof typeof TensorDataType];
  dims: number[];
  /** The elements, little-endian, row-major (one byte per BOOL). */
  rawData: Uint8Array;
}

/** A dimension: a fixed size, or a named one whose size is given at run time (the batch). */
export type OnnxDimension = { dimValue: number } | { dimParam: string };

export interface OnnxValueInfo {
  name: string;
  docString?: string;
  type: { tensorType: { elemType: number; shape: { dim: OnnxDimension[] } } };
}

export interface OnnxModel {
  irVersion: number;
  opsetImport: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  docString: string;
  graph: {
    name: string;
    node: OnnxNode[];
    initializer: OnnxTensor[];
    input: OnnxValueInfo[];
    output: OnnxValueInfo[];
  };
  metadataProps: { key: string; value: string }[];
}

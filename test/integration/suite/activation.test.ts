import * as assert from 'node:assert/strict';

import * as ort from 'onnxruntime-node';
import * as vscode from 'vscode';

import { requestScreenshot } from '../harness/request-screenshot';

const EXTENSION_ID = 'expert-activation.expert-activation';

suite('activation', () => {
  test('extension is installed', () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);

    assert.ok(extension, `extension ${EXTENSION_ID} not found in the extension host`);
  });

  test('extension activates', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `extension ${EXTENSION_ID} not found in the extension host`);

    await extension.activate();

    assert.equal(extension.isActive, true);
    await requestScreenshot('activated');
  });

  test('commands are registered', async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();

    const commands = await vscode.commands.getCommands(true);

    assert.ok(commands.includes('expertActivation.showLog'), 'expertActivation.showLog is not registered');
    assert.ok(
      commands.includes('expertActivation.toggleCompletions'),
      'expertActivation.toggleCompletions is not registered',
    );
  });

  test('onnxruntime-node loads in host', () => {
    assert.equal(typeof ort.InferenceSession, 'function');
    assert.equal(typeof ort.InferenceSession.create, 'function');
    assert.equal(typeof ort.Tensor, 'function');
  });

  test('onnxruntime-node runs a model in host', async () => {
    const session = await ort.InferenceSession.create(encodeIdentityModel());
    const input = new ort.Tensor('float32', Float32Array.from([1.5, -2, 3]), [3]);

    const outputs = await session.run({ x: input });

    assert.deepEqual(Array.from(outputs.y.data as Float32Array), [1.5, -2, 3]);
    await session.release();
  });
});

// A minimal ONNX model, `y = Identity(x)` on a float32 vector of 3, written as protobuf bytes
// by hand so the test needs no model file. Field numbers follow onnx.proto.
function encodeIdentityModel(): Uint8Array {
  const FLOAT32 = 1;
  const IR_VERSION = 8;
  const OPSET_VERSION = 13;

  // ValueInfoProto { name, type: TypeProto { tensor_type { elem_type, shape { dim { dim_value } } } } }
  const vectorOfThree = (name: string): number[] => {
    const shape = bytesField(1, varintField(1, 3));
    const tensorType = varintField(1, FLOAT32).concat(bytesField(2, shape));
    return bytesField(1, name).concat(bytesField(2, bytesField(1, tensorType)));
  };

  // NodeProto { input, output, op_type }
  const node = bytesField(1, 'x').concat(bytesField(2, 'y'), bytesField(4, 'Identity'));

  // GraphProto { node, name, input, output }
  const graph = bytesField(1, node).concat(
    bytesField(2, 'identity'),
    bytesField(11, vectorOfThree('x')),
    bytesField(12, vectorOfThree('y')),
  );

  // ModelProto { ir_version, graph, opset_import: OperatorSetIdProto { domain, version } }
  const opsetImport = bytesField(1, '').concat(varintField(2, OPSET_VERSION));
  const model = varintField(1, IR_VERSION).concat(bytesField(7, graph), bytesField(8, opsetImport));

  return Uint8Array.from(model);
}

function varintField(fieldNumber: number, value: number): number[] {
  return encodeVarint(fieldNumber << 3).concat(encodeVarint(value));
}

function bytesField(fieldNumber: number, payload: number[] | string): number[] {
  const bytes = typeof payload === 'string' ? Array.from(Buffer.from(payload, 'utf8')) : payload;
  return encodeVarint((fieldNumber << 3) | 2).concat(encodeVarint(bytes.length), bytes);
}

function encodeVarint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return bytes;
}

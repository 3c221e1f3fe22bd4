// What can go wrong when opening someone else's model file. Each is a BadInputError, so the UI
// shows the message as it is and the CLI prints it as its one line (exit code 2).
import { BadInputError } from '../../common/bad-input';

/** The file itself: missing, truncated, not the format its extension says, a weights-only file. */
export class ModelImportError extends BadInputError {}

/** An operator or layer the converter does not translate. `unsupported` lists every one found. */
export class UnsupportedModelError extends ModelImportError {
  constructor(
    message: string,
    readonly unsupported: UnsupportedItem[],
  ) {
    super(message);
  }
}

export interface UnsupportedItem {
  /** ONNX: the node's position in the graph (0-based); Keras: the layer's position. */
  index: number;
  /** The node or layer name. */
  name: string;
  /** The ONNX op type (with its domain when not the default one) or the Keras class name. */
  type: string;
  /** One line: `node 17 "/layer1/foo" (op GridSample) is not supported` and why, when known. */
  message: string;
}

/** First line of an error from a library, for messages. Some libraries throw non-Errors. */
export function reason(e: unknown): string {
  const text = e instanceof Error ? e.message : typeof e === 'string' ? e : '';
  return (text || 'unknown error').split('\n')[0]!.slice(0, 300);
}

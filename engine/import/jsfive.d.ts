// Types for jsfive 0.4 (pure-JavaScript HDF5 reader, public domain; it ships none): the part of
// its high-level API engine/import/hdf5.ts uses.
declare module 'jsfive' {
  export class Group {
    get keys(): string[];
    get attrs(): Record<string, unknown>;
    get(path: string): Group | Dataset | undefined;
  }
  export class File extends Group {
    constructor(buffer: ArrayBuffer, filename?: string);
  }
  export class Dataset {
    get value(): unknown;
    get shape(): number[];
    get dtype(): unknown;
    get attrs(): Record<string, unknown>;
  }
}

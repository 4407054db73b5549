// Node's own binding to llhttp, as its http server uses it (lib/_http_common.js). Not in
// @types/node; only what http/request-reader.ts uses is declared.
declare module '_http_common' {
  export class HTTPParser {
    static readonly REQUEST: number;
    static readonly kOnMessageBegin: number;
    static readonly kOnHeaders: number;
    static readonly kOnHeadersComplete: number;
    static readonly kOnBody: number;
    static readonly kOnMessageComplete: number;
    static readonly kLenientNone: number;
    initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
    /** Bytes parsed, or the parse error (code 'HPE_…'). */
    execute(data: Buffer): number | Error;
    finish(): number | Error | undefined;
    [slot: number]: unknown;
  }
  export const methods: string[];
}

// A breach of the gateway contract (start_response twice, body before start_response, a
// malformed status, a handler that returns no Response…): the client gets a 500 and the
// `error` event carries code 'GATEWAY' and a message naming the mistake.
export class GatewayError extends Error {
  readonly code = 'GATEWAY';
  constructor(message: string) {
    super(message);
    this.name = 'GatewayError';
  }
}

/** The request body could not be read because the client went away (nothing to answer). */
export class RequestAborted extends Error {
  readonly code = 'REQUEST_ABORTED';
  constructor() {
    super('the request was aborted before its body was complete');
    this.name = 'RequestAborted';
  }
}

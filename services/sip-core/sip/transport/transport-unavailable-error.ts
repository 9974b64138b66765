// The requested transport (or address family) has no listener, or a stream
// to the destination cannot be opened. sip-core reports it upwards as
// "requested protocol/transport not available".
export class TransportUnavailableError extends Error {
  readonly code = 'transport-unavailable';
  constructor(message: string) {
    super(message);
    this.name = 'TransportUnavailableError';
  }
}

// Types for npm `rtpengine-client` 0.4 (it ships none). Only what ng-client.ts uses.
declare module 'rtpengine-client' {
  import type { EventEmitter } from 'node:events';

  type NgDict = Record<string, unknown>;
  type NgCall = (port: number, host: string, params: NgDict) => Promise<NgDict>;

  export class Client extends EventEmitter {
    constructor(opts: { localPort?: number; localAddress?: string; timeout?: number; rejectOnError?: boolean });
    offer: NgCall;
    answer: NgCall;
    delete: NgCall;
    query: NgCall;
    ping: NgCall;
    list: NgCall;
    blockMedia: NgCall;
    unblockMedia: NgCall;
    silenceMedia: NgCall;
    unsilenceMedia: NgCall;
    playMedia: NgCall;
    stopMedia: NgCall;
    playDTMF: NgCall;
    blockDTMF: NgCall;
    unblockDTMF: NgCall;
    startRecording: NgCall;
    stopRecording: NgCall;
    statistics: NgCall;
    close(): void;
  }

  const rtpengine: { Client: typeof Client };
  export default rtpengine;
}

// What the drachtio controller needs from part A's SIP stack (services/sip-core/sip),
// as a structural interface: A's TransactionLayer/TransportLayer satisfy it, and the
// controller stays testable and independent of the stack's internals.
import type { EventEmitter } from 'node:events';
import type { SipMessage, SipRequest } from '../sip/message';
import type {
  ClientTransaction,
  ListenerInfo,
  Destination,
  MessageSource,
  SendRequestHandlers,
  SendRequestOptions,
  SendResult,
  Transport,
} from '../sip/types';

export interface SipStack extends EventEmitter {
  sendRequest(req: SipRequest, destination: Destination, handlers: SendRequestHandlers, opts?: SendRequestOptions): ClientTransaction;
  sendStateless(msg: SipMessage, destination: Destination, opts?: { addVia?: boolean }): Promise<SendResult>;
  /** Bytes already serialized (the ACK kept to answer 2xx retransmissions). */
  sendBytes(raw: Buffer, destination: Destination): Promise<SendResult>;
}

export interface SipTransports {
  listenerInfos(): ListenerInfo[];
  /** The listener whose address belongs in Via/Contact for this transport and family. */
  localFor(transport: Transport, family?: 4 | 6): ListenerInfo | undefined;
  /** RFC 3261 §18.2.2: where a response goes, from its top Via. */
  responseDestination(res: SipMessage, source?: MessageSource): Destination;
  /** Drop everything from `address` unread for `ms` (an app's X-Korobka-Silence); optional for test stacks. */
  silence?(address: string, ms: number): boolean;
}

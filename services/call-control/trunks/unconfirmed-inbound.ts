// Issue 16 item 4: an INVITE from an operator's address is trusted by its UDP
// source, which anyone can forge. Before this cap, forged INVITEs to a DID
// whose phone rings took one licence slot each until the ring timeout: sixteen
// of them blocked a profile-S box for everyone. Now inbound trunk calls that
// are not yet answered ("unconfirmed": nothing but the source vouches for
// them) share their own cap, half the licence's concurrent calls (at least
// one); over it they are refused 503 before the licence is asked, so forged
// INVITEs can never take the slots internal and outbound calls need. A place
// is freed when the call is answered (the far end proved itself by a real
// dialogue: ACK, media) or ends.
import type { Call } from '../call/call';

export class UnconfirmedInbound {
  private held = 0;
  private refusedCount = 0;

  constructor(private readonly cap: () => number) {}

  /** Places held now and refusals so far (call-control's health). */
  snapshot(): { held: number; cap: number; refused: number } {
    return { held: this.held, cap: this.cap(), refused: this.refusedCount };
  }

  /** Holds a place for `call` until it is answered or ends; false (counted) when the cap is reached. */
  take(call: Pick<Call, 'on' | 'defer'>): boolean {
    if (this.held >= this.cap()) {
      this.refusedCount++;
      return false;
    }
    this.held++;
    let holding = true;
    const release = () => {
      if (!holding) return;
      holding = false;
      this.held--;
    };
    call.on('answered', release);
    call.defer('unconfirmed trunk call place', release);
    return true;
  }
}

/** Half the licence's concurrent calls, at least one: the rest stays for internal, outbound and answered calls. */
export function unconfirmedCap(concurrentCalls: number): number {
  return Math.max(1, Math.floor(concurrentCalls / 2));
}

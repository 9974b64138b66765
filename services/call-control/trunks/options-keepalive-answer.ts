// The other half of OPTIONS keepalive: operators (and phones, and SBCs)
// probe the PBX with OPTIONS. RFC 3261 §11.2: answer as an INVITE would be
// answered — 200 with what we support — rather than the stack's 503 for a
// method no application takes, which many operators count as "PBX down".

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf's typings lack the request/response objects
type Loose = any;

/** Methods call-control takes outside and inside dialogs. */
export const ALLOWED_METHODS = 'INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, REFER, NOTIFY';

export function optionsAnswer(): (req: Loose, res: Loose) => void {
  return (_req, res) => {
    res.send(200, { headers: { Allow: ALLOWED_METHODS, Accept: 'application/sdp', 'Accept-Language': 'ru, en' } });
  };
}

// WebSocket close codes of /collab. Mirrors server/collab/closecodes.py.
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  INTERNAL_ERROR: 1011,
  BAD_MESSAGE: 4400,
  UNAUTHENTICATED: 4401,
  ACCESS_REVOKED: 4403,
  NOT_FOUND: 4404,
  SLOW_CONSUMER: 4408,
  TOO_LARGE: 4413,
  RATE_LIMITED: 4429,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/** Codes after which reconnecting cannot help: the user must sign in or lost access. */
export const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.UNAUTHENTICATED,
  CloseCode.ACCESS_REVOKED,
  CloseCode.NOT_FOUND,
]);

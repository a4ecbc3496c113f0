"""WebSocket close codes of /collab. Mirrored in web/src/collab/closeCodes.ts."""

from enum import IntEnum


class CloseCode(IntEnum):
    NORMAL = 1000
    GOING_AWAY = 1001  # server shutting down; reconnect
    INTERNAL_ERROR = 1011
    BAD_MESSAGE = 4400  # malformed, truncated or unknown message
    UNAUTHENTICATED = 4401  # no valid session cookie or token
    ACCESS_REVOKED = 4403  # read access lost while connected
    NOT_FOUND = 4404  # unknown section or no read access (indistinguishable on purpose)
    SLOW_CONSUMER = 4408  # the client did not keep up with the room's updates
    TOO_LARGE = 4413  # message over the size limit
    RATE_LIMITED = 4429  # too many messages per second


REASONS: dict[CloseCode, str] = {
    CloseCode.BAD_MESSAGE: "malformed message",
    CloseCode.UNAUTHENTICATED: "sign in required",
    CloseCode.ACCESS_REVOKED: "access revoked",
    CloseCode.NOT_FOUND: "not found",
    CloseCode.SLOW_CONSUMER: "too slow",
    CloseCode.TOO_LARGE: "message too large",
    CloseCode.RATE_LIMITED: "too many messages",
    CloseCode.GOING_AWAY: "server restarting",
    CloseCode.INTERNAL_ERROR: "internal error",
}

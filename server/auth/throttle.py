"""Sign-in throttling that slows guessing without letting anyone lock a user out.

Two kinds of key, each with a failure count and exponential backoff:
- an address (the client's IP, from X-Forwarded-For only behind JOINTPLAN_TRUSTED_PROXIES):
  after `free_failures` failures, every further attempt from it waits `base_delay`, doubling
  per failure up to `max_delay`. It counts failures per account, and a success removes only
  that account's failures from it: signing into one's own account does not buy new guesses
  at other accounts.
- an account (the normalised email, known or not, so the answer tells nothing): the same
  backoff, enforced only against addresses that have failed recently themselves. A user
  signing in from a clean address always gets through with the right password, however
  hard the account is being attacked elsewhere; a dirty address waits until its own
  failures are forgotten (`max_delay` after the last one).

Memory is bounded: at most `max_entries` keys; when full, the key evicted is the one with the
fewest failures among the least recently failing few, so an address that keeps failing is
never forgotten to make room. In memory, per process (docs/frontdoor.md says what that costs).
"""

import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

_PER_ADDRESS_ACCOUNTS = 64  # accounts remembered per address; beyond, failures pool
_OTHER = ""
_EVICTION_SAMPLE = 8


@dataclass
class _Entry:
    failures: int = 0
    last_failure: float = 0.0
    # Only for addresses: failures per account, so a success can take back its own.
    accounts: Counter[str] = field(default_factory=Counter)


class LoginThrottle:
    def __init__(
        self,
        *,
        free_failures: int,
        base_delay: float,
        max_delay: float,
        max_entries: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free_failures = free_failures
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def _delay(self, failures: int) -> float:
        over = failures - self.free_failures
        if over < 0:
            return 0.0
        return float(min(self.max_delay, self.base_delay * 2 ** min(over, 40)))

    def _get(self, key: str, now: float) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is not None and now - entry.last_failure > self.max_delay:
            del self._entries[key]  # quiet for long enough: forgiven
            return None
        return entry

    def _wait(self, entry: _Entry | None, now: float) -> float:
        if entry is None:
            return 0.0
        return max(0.0, entry.last_failure + self._delay(entry.failures) - now)

    def retry_after(self, account: str, address: str) -> int:
        """Whole seconds to wait before this address may try this account; 0: try now."""
        now = self.clock()
        at_address = self._get(f"ip:{address}", now)
        wait = self._wait(at_address, now)
        if at_address is not None and at_address.failures > 0:
            wait = max(wait, self._wait(self._get(f"account:{account}", now), now))
        return int(wait) + 1 if wait > 0 else 0

    def failed(self, account: str, address: str) -> None:
        self.failed_key(f"account:{account}")
        entry = self.failed_key(f"ip:{address}")
        full = account not in entry.accounts and len(entry.accounts) >= _PER_ADDRESS_ACCOUNTS
        entry.accounts[_OTHER if full else account] += 1

    def retry_after_key(self, key: str) -> int:
        """The same backoff for a single key, such as an invitation's one-time code."""
        now = self.clock()
        wait = self._wait(self._get(key, now), now)
        return int(wait) + 1 if wait > 0 else 0

    def failed_key(self, key: str) -> _Entry:
        now = self.clock()
        entry = self._get(key, now)
        if entry is None:
            self._make_room()
            entry = self._entries[key] = _Entry()
        entry.failures += 1
        entry.last_failure = now
        self._entries.move_to_end(key)
        return entry

    def succeeded(self, account: str, address: str) -> None:
        """The right password: this account's own failures are forgiven, nobody else's."""
        self._entries.pop(f"account:{account}", None)
        entry = self._entries.get(f"ip:{address}")
        if entry is not None:
            entry.failures -= entry.accounts.pop(account, 0)
            if entry.failures <= 0:
                del self._entries[f"ip:{address}"]

    def _make_room(self) -> None:
        if len(self._entries) < self.max_entries:
            return
        oldest = []
        for key, entry in self._entries.items():
            oldest.append((entry.failures, key))
            if len(oldest) == _EVICTION_SAMPLE:
                break
        del self._entries[min(oldest)[1]]

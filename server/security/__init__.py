"""The front door: which browser origins may use the session cookie, and the response headers
that keep the web app from being framed, sniffed or fed foreign scripts (docs/frontdoor.md)."""

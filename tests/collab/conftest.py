"""The live-server fixtures come from tests/live.py (a plugin of tests/conftest.py)."""

from tests.live import ServerProcess, Workshop, section_id

__all__ = ["ServerProcess", "Workshop", "section_id"]

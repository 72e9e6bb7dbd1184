from __future__ import annotations

import msgspec
import pytest

from server.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The tests' receivers listen on this machine.
    return msgspec.structs.replace(settings, webhook_urls="https://*,http://127.0.0.1:*")

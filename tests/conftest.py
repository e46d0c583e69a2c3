"""Shared fixtures: where the real public data lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("COMUNA_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real public data (``../shared/data`` unless COMUNA_SHARED_DATA says).

    Golden tests need it. In CI (``CI=true``) its absence is a failure; on a developer's
    machine without it the golden tests are skipped with the reason shown.
    """
    if not SHARED_DATA.is_dir():
        message = f"real data not found at {SHARED_DATA}; set COMUNA_SHARED_DATA"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many accounts; production keeps Django's slow, safe default hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

"""Headless Debian Chromium driven by Playwright (Playwright's own browser builds are not used)."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("COMUNA_CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in the test thread; the ORM calls the test makes
# around it are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make browser` (scripts/install-chromium.sh)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="es-VE", viewport={"width": 412, "height": 915})
    page = context.new_page()
    yield page
    context.close()

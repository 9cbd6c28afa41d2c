"""A real headless Chromium (Debian's ``chromium`` and ``chromium-driver``) driven by Selenium.

Selenium blocks, the bot under test runs on this event loop: every browser step goes to a
thread (``await browser.run(fn)``) so the bot keeps serving while the browser waits for it.
Tests skip with the reason where Chromium is not installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

T = TypeVar("T")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


def skip_without_chromium() -> None:
    if CHROMIUM is None or DRIVER is None:
        pytest.skip("needs Debian's chromium and chromium-driver (apt-get install, as .ci/run)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        pytest.skip("needs selenium (pip install -e .[dev])")


class Browser:
    def __init__(self, width: int = 1400, height: int = 900) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM or ""
        for arg in (
            "--headless=new",
            "--no-sandbox",  # CI runs as root
            "--disable-dev-shm-usage",
            "--disable-gpu",
            f"--window-size={width},{height}",
            "--lang=zh-CN",
        ):
            options.add_argument(arg)
        self.driver = webdriver.Chrome(options=options, service=Service(DRIVER or ""))
        self.driver.set_page_load_timeout(60)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(fn, *args)

    async def get(self, url: str) -> None:
        await self.run(self.driver.get, url)

    async def submit(self, css: str) -> None:
        """Click a button that loads another page, and wait until that page is there."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions
        from selenium.webdriver.support.ui import WebDriverWait

        old = await self.run(self.driver.find_element, By.TAG_NAME, "html")
        element = await self.run(self.driver.find_element, By.CSS_SELECTOR, css)
        await self.run(element.click)
        wait = WebDriverWait(self.driver, 60)
        await self.run(wait.until, expected_conditions.staleness_of(old))
        await self.run(
            wait.until, lambda d: d.execute_script("return document.readyState") == "complete"
        )

    async def type(self, css: str, text: str) -> None:
        from selenium.webdriver.common.by import By

        element = await self.run(self.driver.find_element, By.CSS_SELECTOR, css)
        await self.run(element.send_keys, text)

    async def text(self) -> str:
        from selenium.webdriver.common.by import By

        body = await self.run(self.driver.find_element, By.TAG_NAME, "body")
        return await self.run(lambda: body.text)

    async def screenshot(self, name: str) -> None:
        """Saved where ``COORDBOT_SCREENSHOTS`` points (the README's pictures), if set."""
        folder = os.environ.get("COORDBOT_SCREENSHOTS")
        if folder:
            os.makedirs(folder, exist_ok=True)
            await self.run(self.driver.save_screenshot, os.path.join(folder, name))

    def quit(self) -> None:
        self.driver.quit()

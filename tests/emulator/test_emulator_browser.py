"""The emulator's page in a real browser: a customer books by clicking, staff moves the ticket.

Uses Debian's Chromium (`apt-get install chromium`) through Playwright's Python package; no
browser is ever downloaded. Skipped when either is missing.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.emulator.app import Emulator
from bot.i18n import Lang

if TYPE_CHECKING:
    from playwright.async_api import Page

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        "Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
        allow_module_level=True,
    )
playwright_api = pytest.importorskip(
    "playwright.async_api",
    reason="the playwright package is not installed (pip install playwright)",
)
async_playwright = playwright_api.async_playwright
expect = playwright_api.expect

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CODE = re.compile(r"SR-[0-9A-Z]{6}")
TIMEOUT_MS = 15_000


@pytest.fixture
async def page(emulator: Emulator) -> AsyncIterator[Page]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = await browser.new_context(viewport={"width": 1600, "height": 1000})
            tab = await context.new_page()
            tab.set_default_timeout(TIMEOUT_MS)
            expect.set_options(timeout=TIMEOUT_MS)
            await tab.goto(emulator.url)
            await tab.wait_for_selector("body[data-ready='1']")
            yield tab
            await context.close()
        finally:
            await browser.close()


async def test_customer_books_by_clicking_and_staff_moves_the_ticket(
    emulator: Emulator, page: Page
) -> None:
    tab = page
    await tab.click("#new-customer-en")
    customer = tab.locator(".pane").nth(0)
    await expect(customer.locator(".pane-role")).to_contain_text("customer · en")

    compose = customer.locator("input.compose")
    await compose.fill("/start")
    await compose.press("Enter")
    await expect(customer.locator(".msg.from-user").first).to_contain_text("/start")
    await expect(customer.locator(".msg.from-bot").first).to_contain_text("Hello, Alice!")

    for button in ("Report a fault", "Washing machine", "Won't drain", "Still broken", "Skip"):
        await customer.locator("button.ikb", has_text=button).click()
    await expect(customer.locator(".msg.from-bot").last).to_contain_text("Share your location")

    # The request_location button opens the location picker: choose Moscow and share it.
    await customer.locator(".reply-kb button[data-request-location='1']").click()
    await customer.locator(".loc-picker select.loc-city").select_option("Moscow")
    await customer.locator(".loc-picker button.share").click()
    await expect(customer.locator(".msg.location .map-link")).to_have_attribute(
        "href", re.compile(r"^https://www\.openstreetmap\.org/\?mlat=55\.75")
    )
    await expect(customer.locator(".reply-kb")).to_be_hidden()

    for heading in ("Workshops that repair", "Choose a day", "Choose a drop-off time"):
        await customer.locator(".msg", has_text=heading).locator("button.ikb").first.click()
    await customer.locator(".reply-kb button", has_text=re.compile(r"^Skip$")).click()
    await expect(customer.locator(".msg", has_text="Please check your booking")).to_be_visible()
    await customer.locator("button.ikb", has_text="Confirm").click()

    booked = customer.locator(".msg", has_text="Booked!")
    await expect(booked).to_contain_text(CODE)
    await expect(booked.locator("b").first).to_have_text("Booked!")  # formatting kept
    await expect(customer.locator(".msg.venue .map-link")).to_have_attribute(
        "href", re.compile(r"openstreetmap\.org/\?mlat=")
    )
    booked_text = await booked.inner_text()
    found = CODE.search(booked_text)
    assert found is not None
    code = found.group()
    workshop = next(
        code_
        for code_, w in emulator.services.network.workshops.items()
        if w.title(Lang.EN) in booked_text
    )

    # A staff member of that workshop (made staff by head office through the bot).
    await tab.select_option("#staff-workshop", workshop)
    await tab.click("#new-staff")
    staff = tab.locator(".pane").nth(1)
    await expect(staff.locator(".pane-role")).to_contain_text(f"({workshop})")
    staff_compose = staff.locator("input.compose")
    await staff_compose.fill(f"/job {code}")
    await staff_compose.press("Enter")
    card = staff.locator(".msg.from-bot", has_text=code).last
    await card.locator("button.ikb", has_text="→ received by the workshop").click()
    await expect(staff.locator(".msg.from-bot").last).to_contain_text(
        f"Ticket {code} is now received by the workshop."
    )
    await expect(customer.locator(".msg.from-bot").last).to_contain_text(
        "Danilovsky Workshop has received your device."
    )

    # The bot's clock moves forward an hour.
    clock = tab.locator("#clock")
    before = int(await clock.get_attribute("data-unix") or 0)
    await tab.click("#skip-hour")
    await expect(tab.locator("#notice")).to_contain_text("Skipped 1 hour")
    after = int(await clock.get_attribute("data-unix") or 0)
    assert after - before >= 3600

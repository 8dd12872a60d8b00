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
from PIL import Image

from bot.emulator.app import Emulator
from bot.i18n import Lang

if TYPE_CHECKING:
    from playwright.async_api import Browser, Locator, Page

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
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            await chromium.close()


async def open_page(browser: Browser, emulator: Emulator, width: int, height: int) -> Page:
    """The emulator's page in a new window of that size, once it is ready."""
    context = await browser.new_context(viewport={"width": width, "height": height})
    tab = await context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    await tab.goto(emulator.url)
    await tab.wait_for_selector("body[data-ready='1']")
    return tab


@pytest.fixture
async def page(emulator: Emulator, browser: Browser) -> Page:
    return await open_page(browser, emulator, 1600, 1000)


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

    walk = ("Report a fault", "Washing machine", "Won't drain", "Still broken", "Skip")
    walk += ("Don't know",)
    for button in walk:
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


async def send(pane: Locator, text: str) -> None:
    compose = pane.locator("input.compose")
    await compose.fill(text)
    await compose.press("Enter")


async def rendered_and_natural_ratio(image: Locator) -> tuple[float, float]:
    await expect(image).to_have_js_property("complete", True)
    sizes = await image.evaluate(
        "img => [img.clientWidth, img.clientHeight, img.naturalWidth, img.naturalHeight]"
    )
    shown_w, shown_h, natural_w, natural_h = sizes
    assert natural_w > 0 and shown_h > 0
    return shown_w / shown_h, natural_w / natural_h


async def test_pictures_keep_their_shape_a_qr_code_square_and_a_chart_wide(
    emulator: Emulator, page: Page
) -> None:
    tab = page
    await tab.select_option("#staff-workshop", "MSK-SOUTH")
    await tab.click("#new-staff")
    staff = tab.locator(".pane").nth(0)
    await expect(staff.locator(".pane-role")).to_contain_text("(MSK-SOUTH)")
    await send(staff, "/walkin washer")
    qr_code = staff.locator(".msg.from-bot img.photo").last
    shown, natural = await rendered_and_natural_ratio(qr_code)
    assert natural == pytest.approx(1.0)
    assert shown == pytest.approx(natural, rel=0.02)

    await tab.locator(".persona[data-kind='head_office']").click()
    head_office = tab.locator(".pane").nth(1)
    await send(head_office, "/stats")
    chart = head_office.locator(".msg.from-bot img.photo").last
    shown, natural = await rendered_and_natural_ratio(chart)
    assert shown == pytest.approx(natural, rel=0.02)


async def test_a_person_replies_to_a_message_and_sends_photos_by_clicking(
    emulator: Emulator, page: Page, tmp_path: Path
) -> None:
    tab = page
    await tab.click("#new-customer-en")
    customer = tab.locator(".pane").nth(0)
    await send(customer, "/start")
    greeting = customer.locator(".msg.from-bot", has_text="Hello, Alice!").first
    await greeting.locator("button.reply-action").click()
    await expect(customer.locator(".reply-bar")).to_contain_text("Hello, Alice!")
    await send(customer, "Thank you")
    reply = customer.locator(".msg.from-user", has_text="Thank you")
    await expect(reply.locator(".quote")).to_contain_text("Hello, Alice!")
    await expect(customer.locator(".reply-bar")).to_be_hidden()
    persona_id = int(await customer.get_attribute("data-persona-id") or 0)
    sent = [m for m in emulator.api.history(persona_id) if m.get("text") == "Thank you"]
    greeting_id = int(await greeting.get_attribute("data-message-id") or 0)
    assert sent[0]["reply_to_message"]["message_id"] == greeting_id

    await customer.locator("button.attach-photo").click()
    await customer.locator(".photo-picker button.send-sample").click()
    sample = customer.locator(".msg.from-user img.photo").last
    await expect(sample).to_have_js_property("naturalWidth", 640)

    picked = tmp_path / "fault.png"
    Image.new("RGB", (200, 500), "#886644").save(picked)
    await customer.locator("button.attach-photo").click()
    await customer.locator(".photo-picker input.photo-file").set_input_files(picked)
    await customer.locator(".photo-picker input.caption").fill("The door seal")
    await customer.locator(".photo-picker button.send-photo").click()
    mine = customer.locator(".msg.from-user", has_text="The door seal")
    await expect(mine.locator("img.photo")).to_have_js_property("naturalHeight", 500)
    await expect(customer.locator(".photo-picker")).to_be_hidden()
    photos = [m for m in emulator.api.history(persona_id) if "photo" in m]
    assert [(p["photo"][-1]["width"], p["photo"][-1]["height"]) for p in photos[-2:]] == [
        (640, 480),
        (200, 500),
    ]


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
async def test_the_page_fits_a_laptop_screen_and_a_phone(
    emulator: Emulator, browser: Browser, width: int, height: int
) -> None:
    tab = await open_page(browser, emulator, width, height)
    await tab.click("#new-customer-en")
    customer = tab.locator(".pane").nth(0)
    await send(customer, "/start")
    await expect(customer.locator(".msg.from-bot").first).to_contain_text("Hello, Alice!")
    await tab.click("#new-customer-ru")
    await expect(tab.locator(".pane")).to_have_count(2)

    overflow = await tab.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {width}px"
    compose = customer.locator("input.compose")
    await compose.scroll_into_view_if_needed()
    box = await compose.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert box["y"] >= 0 and box["y"] + box["height"] <= height
    assert box["width"] >= min(200, width / 2)
    await send(customer, "/help")
    await expect(customer.locator(".msg.from-user").last).to_contain_text("/help")

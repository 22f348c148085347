"""The ops dashboard in a real browser (Debian's Chromium through Playwright) against the running stack."""

import os
import re
import uuid
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

pytestmark = pytest.mark.e2e

CHROMIUM = os.environ.get("TAAS_CHROMIUM", "/usr/bin/chromium")
# The system browser, never a downloaded one; flags keep it quiet and off the network (no updates, no sync).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ONE_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} C[SD]T$")  # the viewer's zone below is Chicago


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def _json(resp: aiohttp.ClientResponse, *ok: int):
    body = await resp.json(content_type=None)
    assert resp.status in ok, f"{resp.method} {resp.url} answered {resp.status}: {body}"
    return body


@pytest.fixture
async def page():
    """A fresh page of headless Chromium in Chicago time; fails on any script error."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no Chromium at {CHROMIUM}: `apt-get install chromium` (Debian's package), or set TAAS_CHROMIUM")
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(timezone_id="America/Chicago", viewport={"width": 1500, "height": 1100})
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            yield page
        finally:
            await browser.close()
        assert errors == []


async def _provider(http, stack, provider_id: str, name: str, cert: str, clearances: list) -> None:
    await _json(await http.post(f"{stack.urls['availability']}/v1/providers", headers=stack.token("ops"), json={
        "id": provider_id, "name": name, "roles": ["security_engineer"], "skills": ["ransomware"],
        "certifications": [{"name": cert, "issuer": "GIAC"}], "hourly_rate_cents": 11_000,
        "time_zone": "America/Chicago", "home_jurisdiction_id": "lender-county", "capacity": 1, "clearances": clearances,
        "windows": [{"day": d, "start": "00:00", "end": "24:00"} for d in range(7)]}), 201)


async def test_a_filed_request_shows_on_the_board_and_in_the_log_live_with_its_candidates(stack, eventually, page):
    agency_id, cleared, uncleared = _id("county"), _id("cleared"), _id("uncleared")
    cert = _id("GCIH")  # only this test's providers hold it: other tests' providers are never its candidates
    ops = stack.token("ops")
    dispatch = stack.urls["dispatch"]
    cjis = [{"kind": "cjis", "expires_on": (datetime.now(UTC) + timedelta(days=400)).date().isoformat()}]
    hostile = '<img src=x onerror="window.__xss=1">Pine County'
    async with aiohttp.ClientSession() as http:
        await _json(await http.post(f"{stack.urls['requests']}/v1/agencies", headers=ops, json={
            "id": agency_id, "name": hostile, "state": "MN", "jurisdiction": agency_id, "population": 8000,
            "time_zone": "America/Chicago", "monthly_budget_cap_cents": 100_000}), 201)
        await _provider(http, stack, cleared, "Casey Cleared", cert, cjis)
        await _provider(http, stack, uncleared, "Uma Uncleared", cert, [])

        async def in_pool():
            board = await _json(await http.get(f"{dispatch}/v1/board", headers=ops), 200)
            return {cleared, uncleared} <= {p["provider_id"] for p in board["pool"]}
        await eventually(in_pool, timeout=30)  # dispatch has both snapshots: the decision will see them

        await page.goto(f"{dispatch}/dashboard#token={ops['Authorization'].removeprefix('Bearer ')}")
        assert "#token" not in page.url  # the token leaves the address bar
        await page.wait_for_selector("#status.live")
        await page.evaluate("window.__samePage = true")

        resp = await http.post(f"{stack.urls['requests']}/v1/requests",
                               headers={**stack.token("agency", agency_id), "Idempotency-Key": _id("k")},
                               json={"kind": "incident", "severity": "high", "role": "security_engineer",
                                     "required_skills": ["ransomware"], "certifications": [cert],
                                     "clearances": ["cjis"],
                                     "max_hourly_rate_cents": 20_000, "expected_hours": 4,
                                     "description": "Ransomware on the records server"})
        request_id = (await _json(resp, 201))["id"]

        # On the board and in the log, without a reload.
        row = page.locator(f'#board-requests tr[data-request-id="{request_id}"]')
        await row.wait_for(timeout=30_000)
        assert await row.locator("td").nth(1).text_content() == hostile  # shown as text, never as markup
        assert await page.evaluate("window.__xss") is None
        assert await row.locator("td").nth(2).text_content() == "high"
        assert re.fullmatch(r"(\d+h )?\d+m \d\ds left", await row.locator("td.target").text_content())
        decision = page.locator(f'#log tr[data-request-id="{request_id}"][data-step="decision"]')
        await decision.wait_for(timeout=30_000)
        assert ONE_FORMAT.match(await decision.locator("td").first.text_content())

        # The why panel: the candidates with their factors, and who was excluded in words.
        await decision.click()
        candidate = page.locator(f'#why-body table.candidates tr[data-provider-id="{cleared}"]')
        await candidate.wait_for(timeout=10_000)
        header = await page.locator("#why-body table.candidates thead").text_content()
        for factor in ("prior work", "skill overlap", "provider fairness", "jurisdiction fairness", "cost",
                       "reliability", "local time"):
            assert factor in header
        assert "has ransomware" in await candidate.text_content()
        excluded = page.locator(f'#why-body table.excluded tr[data-provider-id="{uncleared}"]')
        assert "does not hold cjis clearance" in await excluded.text_content()
        assert await page.locator("#why-body details pre").count() >= 1  # the raw JSON, one click away

        # The provider accepts through the API: the board and the why panel follow live, the winner marked.
        async def pending_offer():
            body = await _json(await http.get(f"{dispatch}/v1/offers", headers=stack.token("provider", cleared)),
                               200)
            items = body["items"] if isinstance(body, dict) else body
            return next((o for o in items if o["request_id"] == request_id and o["status"] == "pending"), None)
        offer = await eventually(pending_offer, timeout=30)
        await _json(await http.post(f"{dispatch}/v1/offers/{offer['offer_id']}/accept",
                                    headers=stack.token("provider", cleared)), 200)
        await page.locator(f'#why-body tr.winner[data-provider-id="{cleared}"]').wait_for(timeout=30_000)
        await page.locator(f'#board-requests tr[data-request-id="{request_id}"] td.target.met').wait_for(
            timeout=30_000)
        await page.locator(f'#pool tr[data-provider-id="{cleared}"][data-state="busy"]').wait_for(timeout=30_000)
        assert await page.evaluate("window.__samePage") is True  # nothing reloaded the page

        # Times in one format: the viewer's zone shown, no microseconds, no raw ISO instants in what is shown.
        assert re.fullmatch(r"times in America/Chicago \(C[SD]T\)", await page.locator("#zone").text_content())
        shown = await page.evaluate("""() => [...document.querySelectorAll('td, p, h2, span')]
            .filter(e => !e.closest('details')).map(e => e.textContent).join('\\n')""")
        assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\d{2}:\d{2}:\d{2}\.\d", shown)
        if os.environ.get("TAAS_DASHBOARD_SCREENSHOT"):
            await page.screenshot(path=os.environ["TAAS_DASHBOARD_SCREENSHOT"], full_page=True)

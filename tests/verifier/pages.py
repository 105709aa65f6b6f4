"""Driving the verifier page as staff do: open it (enrolled or not), check a code, sync, go on."""

from __future__ import annotations


def open_page(context, live, enrol: bool = True, token: str | None = None):
    """The page, set up with the live server's verifier token (or `token`) unless enrol=False."""
    page = context.new_page()
    page.goto(live.url + "/verify/")
    page.wait_for_selector("body[data-ready=true]")
    if enrol:
        page.click("#settings summary")
        page.fill("#token", token or live.tokens["verifier"])
        page.fill("#location", "Bus 142")
        page.click("#settings-form button[type=submit]")
        page.wait_for_function("() => document.getElementById('revocation-age').textContent.includes('Sperrliste:')")
    return page


def check(page, text: str) -> str:
    page.fill("#code-input", text)
    page.click("#code-form button[type=submit]")
    page.wait_for_selector("#verdict:not([hidden])")
    return page.get_attribute("#verdict", "class")


def sync(page, waiting_for: str = "/api/v1/revocations") -> None:
    """Press "sync now" and wait for the request that matters to the test."""
    page.evaluate("document.getElementById('settings').open = true")
    with page.expect_response(lambda response: waiting_for in response.url):
        page.click("#sync-button")
    page.wait_for_timeout(100)  # the answer is stored in IndexedDB right after


def next_voucher(page) -> None:
    page.click("#next-button")
    page.wait_for_selector("#check-view:not([hidden])")

"""Take screenshots of the main pages for each demo role (headless Chromium via Playwright).

Usage: python scripts/screenshots.py [BASE_URL] [OUT_DIR]
Needs a running server with the demo data and Debian's /usr/bin/chromium.
"""

import base64
import hashlib
import hmac
import os
import struct
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(sys.argv[2] if len(sys.argv) > 2 else "screenshots/tmp")
PASSWORD = os.environ.get("DEMO_PASSWORD", "caseload-demo-2026")
TOTP_SECRET = os.environ.get("DEMO_TOTP_SECRET", "CASELOADDEMOTOTPSECRETKEYFORDEMO")


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The demo authenticator's current code (RFC 6238: SHA-1, 6 digits, 30 s)."""
    digest = hmac.new(
        base64.b32decode(secret), struct.pack(">Q", int(time.time()) // 30), hashlib.sha1
    ).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1000000:06d}"


ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
FIRST_LINK = {
    "case": "a[href^='/cases/']",
    "person": "a[href^='/people/'][href$='/']:not([href='/people/'])",
    "team": "a[href^='/teams/'][href$='/']:not([href='/teams/'])",
}
PLAN = {
    None: ["/accounts/login/"],
    "caseworker": ["/", "/people/", "first:case", "first:person"],
    "manager": ["/", "/teams/", "first:team"],
    "director": ["/"],
    "admin": ["/"],
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for user, pages in PLAN.items():
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            if user:
                page.goto(f"{BASE}/accounts/login/")
                page.fill("#id_username", user)
                page.fill("#id_password", PASSWORD)
                page.click("button[type=submit]")
                if "/two-factor/" in page.url:  # director and admin: two-step sign-in
                    page.fill("#id_code", totp_code())
                    page.click("main form button[type=submit]")
            for index, path in enumerate(pages):
                if path.startswith("first:"):
                    kind = path.split(":")[1]
                    selector = FIRST_LINK[kind]
                    page.goto(f"{BASE}/" if kind != "person" else f"{BASE}/people/")
                    page.locator(selector).first.click()
                else:
                    page.goto(BASE + path)
                name = f"{user or 'anonymous'}-{index}.png"
                page.screenshot(path=str(OUT / name), full_page=True)
                print(OUT / name, page.title())
            context.close()
        browser.close()


if __name__ == "__main__":
    main()

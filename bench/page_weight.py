"""Weight and first render of the main pages in Chromium, on a phone and a desk screen.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sinergi_demo \
        .venv/bin/python bench/page_weight.py [--repeat 5] [--json out.json]

On a database with the demo data (`DEBUG=1 manage.py seed_demo`, Celery eager): collects the
static files, serves the app with gunicorn (DEBUG off, whitenoise, one worker) on loopback,
signs the demo people in (a session made by Django's test client, the second factor marked
as passed, as bench_list.py does) and opens each page in Debian's Chromium (Playwright,
/usr/bin/chromium) with an empty cache, `--repeat` times per viewport. Per page and viewport
it prints the HTML bytes of the document (uncompressed), the number of requests until the
`load` event, the median first contentful paint (Chromium's "time to first render") and the
page height in CSS pixels. Network on loopback, so the times are the server plus the
browser's own work, not a phone network.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

os.environ.setdefault("SECRET_KEY", "bench-page-weight-" + "x" * 40)
_django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from cases.models import Case  # noqa: E402
from ppa.models import User  # noqa: E402
from ppa.otp import otp_required  # noqa: E402
from referrals.models import Referral  # noqa: E402

CMD = _django.command_line()
CHROMIUM = "/usr/bin/chromium"
VIEWPORTS = {"390x844": (390, 844), "1366x900": (1366, 900)}
PORT = int(os.environ.get("BENCH_PORT", "8471"))


def session_cookie(username: str) -> str:
    """A signed-in session of a demo user, second factor passed when the role needs one."""
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    if otp_required(user):
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def pages() -> list[tuple[str, str, str | None]]:
    """(label, path, username or None for an anonymous visitor)."""
    agency = User.objects.get(username="manajer").agency
    referral = Referral.objects.filter(case__agency=agency).order_by("id")
    case = referral.first().case if referral.exists() else Case.objects.order_by("id").first()
    return [
        ("login", "/masuk/", None),
        ("case list", "/kasus/", "manajer"),
        ("case page", f"/kasus/{case.code}/", "manajer"),
        ("intake step 1", "/kasus/pengaduan/", "pengaduan"),
        ("dashboard", "/statistik/", "pejabat"),
        ("inbox", "/rujukan/", "manajer"),
    ]


def serve() -> subprocess.Popen:
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "ppa.settings"}
    proc = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ppa.wsgi",
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=_django.ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health/", timeout=2)  # noqa: S310
            return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("gunicorn did not answer in 30 s")


def measure(browser, url: str, cookie: str | None, size: tuple[int, int]) -> dict:
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]},
        locale="id-ID",
        timezone_id="Asia/Jakarta",
        is_mobile=size[0] < 600,
        has_touch=size[0] < 600,
    )
    if cookie:
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": url}])
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, (url, response and response.status)
    html = response.body()
    fcp = page.evaluate(
        """() => new Promise((resolve) => {
            new PerformanceObserver((list) => {
                const e = list.getEntriesByName('first-contentful-paint')[0];
                if (e) resolve(e.startTime);
            }).observe({type: 'paint', buffered: true});
            setTimeout(() => resolve(null), 5000);
        })"""
    )
    height = page.evaluate("() => document.documentElement.scrollHeight")
    context.close()
    return {"bytes": len(html), "requests": len(requests), "fcp": fcp, "height": height}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    call_command("collectstatic", interactive=False, verbosity=0)
    plan = pages()
    cookies = {who: session_cookie(who) for _label, _path, who in plan if who}
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # nothing below touches the ORM

    from playwright.sync_api import sync_playwright  # noqa: PLC0415 (after the ORM work)

    server = serve()
    results = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True
            )
            for label, path, who in plan:
                url = f"http://127.0.0.1:{PORT}{path}"
                for vp_name, size in VIEWPORTS.items():
                    measure(browser, url, cookies.get(who or ""), size)  # warm the server
                    runs = [
                        measure(browser, url, cookies.get(who or ""), size)
                        for _ in range(args.repeat)
                    ]
                    row = {
                        "page": label,
                        "viewport": vp_name,
                        "html_bytes": runs[-1]["bytes"],
                        "requests": runs[-1]["requests"],
                        "fcp_ms": round(statistics.median(r["fcp"] or 0 for r in runs), 1),
                        "height_px": runs[-1]["height"],
                    }
                    results.append(row)
                    print(
                        f"{label:<14} {vp_name:>8}: {row['html_bytes']:>7} B HTML, "
                        f"{row['requests']:>2} requests, first render {row['fcp_ms']:>6} ms "
                        f"(median of {args.repeat}), {row['height_px']:>6} px tall   [{CMD}]"
                    )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

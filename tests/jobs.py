"""The journey of a file made in the background (reports.jobs): request → progress page →
download. Celery runs eagerly in the tests; the commit callbacks (which enqueue) are run."""

import re
from urllib.parse import urlencode

from django.test import TestCase
from django.urls import reverse

STATUS_URL = re.compile(r'data-report-status-url="([^"]+)"')


def request_file(client, url: str, data: dict | None = None):
    """POST the request; return the progress page it leads to (the job has run by then)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, data or {})
    assert response.status_code == 302, response.status_code
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page


def download_url(client, page) -> str:
    """The page polls its status address; the status names the download once it is done."""
    html = page.content.decode()
    match = STATUS_URL.search(html)
    assert match, "no progress box on the page"
    status = client.get(match.group(1)).json()
    assert status["status"] == "done", status
    assert f'href="{status["download_url"]}"' in html  # the link without JavaScript
    return status["download_url"]


def journey(client, url: str, data: dict | None = None):
    """Request, progress page, download: the file's response."""
    page = request_file(client, url, data)
    response = client.get(download_url(client, page))
    assert response.status_code == 200
    return response


def statistics_file(client, name: str, params: dict):
    """The statistics CSV/XLSX of these dashboard filters (they stay in the address)."""
    return journey(client, f"{reverse(name)}?{urlencode(params)}")

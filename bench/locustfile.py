"""50 staff mixing the case list, case pages and intakes (run by bench/load_run.py).

Each simulated user gets one pre-made session (bench/load_run.py creates them, like one login
per user) and never logs in inside the loop: a login costs ~0.3 s of PBKDF2 CPU.
"""

import http.cookiejar
import json
import os
import random
import re
import uuid
from itertools import count

from locust import FastHttpUser, between, task

SESSIONS = json.loads(open(os.environ["BENCH_SESSIONS"]).read())  # noqa: SIM115
NEXT = count()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DRAFT = re.compile(r"/kasus/pengaduan/([0-9a-f-]{36})/")


def session_cookie(value: str) -> http.cookiejar.Cookie:
    return http.cookiejar.Cookie(
        version=0,
        name="sessionid",
        value=value,
        port=None,
        port_specified=False,
        domain="127.0.0.1",
        domain_specified=False,
        domain_initial_dot=False,
        path="/",
        path_specified=True,
        secure=False,
        expires=None,
        discard=True,
        comment=None,
        comment_url=None,
        rest={},
    )


class Staff(FastHttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        me = SESSIONS[next(NEXT) % len(SESSIONS)]
        self.client.cookiejar.set_cookie(session_cookie(me["session"]))
        self.codes = me["codes"]
        self.district = me["district"]

    def _get(self, url: str, name: str):
        return self.client.get(url, name=name)

    @task(5)
    def case_list(self) -> None:
        self._get("/kasus/", "case list")

    @task(4)
    def case_detail(self) -> None:
        self._get(f"/kasus/{random.choice(self.codes)}/", "case detail")  # noqa: S311

    @task(1)
    def intake(self) -> None:
        page = self._get("/kasus/pengaduan/", "intake form")
        token = CSRF.search(page.text)
        if not token:
            return
        headers = {"Referer": self.host + "/kasus/pengaduan/"}
        csrf = token.group(1)
        data = {
            "csrfmiddlewaretoken": csrf,
            "intake_channel": "walk_in",
            "reported_on": "2026-11-20",
            "incident_date": "2026-11-18",
            "case_type": "ampk",
            "risk_level": "high",
            "within_authority": "1",
            "place": "rumah_tangga",
            "description": "Kronologi sintetis untuk uji beban.",
            "incident_district": self.district,
        }
        first = self.client.post(
            "/kasus/pengaduan/",
            data=data,
            headers=headers,
            name="intake step",
            allow_redirects=False,
        )
        match = DRAFT.search(first.headers.get("Location", "") or "")
        if not match:
            return
        base = f"/kasus/pengaduan/{match.group(1)}"
        steps = [
            (
                "korban",
                {
                    "v-TOTAL_FORMS": "1",
                    "v-INITIAL_FORMS": "0",
                    "v-0-name": f"Korban Beban {uuid.uuid4().hex[:8]}",
                    "v-0-sex": "P",
                    "v-0-birth_date": "2012-04-02",
                    "v-0-tpks": "tpks_persetubuhan_anak",
                },
            ),
            (
                "terlapor",
                {
                    "p-TOTAL_FORMS": "1",
                    "p-INITIAL_FORMS": "0",
                    "p-0-name": "Terlapor Beban",
                    "p-0-sex": "L",
                    "p-0-stated_age": "35",
                    "p-0-rel_v0": "tetangga",
                },
            ),
            ("pelapor", {"r-reporter_is_victim": "on"}),
            ("rincian", {}),
            (
                "ringkasan",
                {"consent_statistics": "1", "legal_basis": "consent", "action": "submit"},
            ),
        ]
        for step, fields in steps:
            with self.client.post(
                f"{base}/{step}/",
                data={"csrfmiddlewaretoken": csrf, **fields},
                headers=headers,
                name="intake step" if step != "ringkasan" else "intake submit",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                # Every valid step answers with a redirect; 200 means the form came back
                # with errors (the case was not registered).
                if response.status_code != 302:
                    response.failure(f"{step}: HTTP {response.status_code}")
                    return

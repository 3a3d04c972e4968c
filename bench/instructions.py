"""Instructions per request of a page, counted by valgrind: the same count on every run.

    DATABASE_URL=... SECRET_KEY=<50+ chars> .venv/bin/python bench/instructions.py \\
        [--page list|case|health] [--requests 30]

On a shared 2-core machine the wall and CPU times of one request move by 20-40 % from one
minute to the next (other tenants, clock speed); the number of instructions the Python process
executes does not. This runs this file twice at once under `valgrind --tool=callgrind`
(Debian's `valgrind`), once serving the page 0 times and once `--requests` times after the same warm-up
(a case worker of the agency with the most cases, as bench/throughput.py; 10 requests), and
prints the difference divided by the requests: the cost of one warm request in the web
process, PostgreSQL's work not included. About 50 times slower than the real thing: minutes
per page. Compare two commits by running it in each (`git worktree`).
"""

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

WARM = 10


def serve(page: str, requests: int) -> None:
    """In the child under valgrind: warm up, then serve the page `requests` times."""
    _django.setup()
    from django.test import Client
    from throughput import busiest_case_worker

    user, code = busiest_case_worker()
    client = Client()
    client.force_login(user)
    url = {"list": "/kasus/", "case": f"/kasus/{code}/", "health": "/health/"}[page]
    for _ in range(WARM):
        assert client.get(url).status_code == 200
    for _ in range(requests):
        client.get(url)


def under_valgrind(page: str, requests: int) -> subprocess.Popen:
    """A child serving the page `requests` times under callgrind (its count on stderr)."""
    return subprocess.Popen(  # noqa: S603 (fixed arguments)
        [
            shutil.which("valgrind") or "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--page",
            page,
            "--requests",
            str(requests),
            "--serve",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def collected(child: subprocess.Popen) -> int:
    _out, err = child.communicate()
    if child.returncode != 0:
        raise SystemExit(err[-2000:])
    return int(re.search(r"Collected : (\d+)", err).group(1))  # type: ignore[union-attr]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--page", choices=["list", "case", "health"], default="list")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.page, args.requests)
        return
    children = under_valgrind(args.page, 0), under_valgrind(args.page, args.requests)  # both cores
    base, loaded = (collected(child) for child in children)
    print(f"# {_django.command_line()}")
    print(f"{args.page}: {(loaded - base) / args.requests:,.0f} instructions per request")


if __name__ == "__main__":
    main()

"""The security headers every response must carry (docs/quality.md S6)."""

CSP_REQUIRED = (
    "default-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
)


def header_problems(response, *, authenticated: bool, secure: bool = True) -> list[str]:
    """What is missing or wrong in the response's security headers ([] when all is well)."""
    h = response.headers
    problems = []
    csp = h.get("Content-Security-Policy", "")
    problems += [f"CSP lacks {d!r}" for d in CSP_REQUIRED if d not in csp]
    script = next((p.strip() for p in csp.split(";") if p.strip().startswith("script-src")), "")
    if script.split()[1:2] != ["'self'"] or "unsafe-inline" in script or "unsafe-eval" in script:
        problems.append(f"script-src is not strict: {script!r}")
    if h.get("X-Frame-Options") != "DENY":
        problems.append("X-Frame-Options is not DENY")
    if h.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if h.get("Referrer-Policy") != "same-origin":
        problems.append("Referrer-Policy is not same-origin")
    if secure:
        hsts = h.get("Strict-Transport-Security", "")
        if "max-age=31536000" not in hsts or "includeSubDomains" not in hsts:
            problems.append(f"HSTS missing or short: {hsts!r}")
    if authenticated and "no-store" not in h.get("Cache-Control", ""):
        problems.append("authenticated response is cacheable (no Cache-Control: no-store)")
    return problems

"""The one place where access is decided.

Every view that returns a case, person, document, referral or report asks this package. The
rules per object type live in the submodules (`cases`, `referrals`, `reports`) and are
re-exported here, so callers write `from ppa import access` and `access.get_case_for_user(...)`.

Conventions:
- `visible_*(user)` returns a queryset filtered in SQL (never a Python loop over rows).
- `get_*_for_user(user, code)` returns the object or raises Http404 for anyone who may not
  know that it exists; with `write=True` it raises PermissionDenied (403) for someone who may
  see it but not change it.
- `can_*(user, ...)` answers a yes/no question for templates and services.
"""

from ppa.access.core import (
    deny_unless,
    has_role,
    is_staff_of_case_owner,
    role_of,
)

__all__ = ["deny_unless", "has_role", "is_staff_of_case_owner", "role_of"]

# Object-type rules are added by their modules (see ppa/access/cases.py, referrals.py, reports.py).
from ppa.access.cases import *  # noqa: E402,F403
from ppa.access.cases import __all__ as _cases_all  # noqa: E402

__all__ += _cases_all
from ppa.access.referrals import *  # noqa: E402,F403
from ppa.access.referrals import __all__ as _referrals_all  # noqa: E402

__all__ += _referrals_all


from ppa.access.reports import *  # noqa: E402,F403
from ppa.access.reports import __all__ as _reports_all  # noqa: E402

__all__ += _reports_all

"""Reads of referrals. `case_referrals` feeds the referral panel on the case page
(templates/referrals/_case_panel.html); the referrals app fills both in."""


def case_referrals(user, case) -> list:
    return []

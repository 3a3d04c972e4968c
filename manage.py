#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ppa.settings")
    # Without any SECRET_KEY this is a developer's machine: default to development mode.
    # Production sets SECRET_KEY; the web entry point (ppa/wsgi.py) never takes this default.
    if "SECRET_KEY" not in os.environ:
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)

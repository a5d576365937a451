#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mappa_tracker.settings")
    from django.core.management import execute_from_command_line

    from mappa_tracker.startup import fail_cleanly_on_bad_settings

    with fail_cleanly_on_bad_settings():
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

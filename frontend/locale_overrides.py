"""Corrections to Django's own Welsh catalogue, listed so that makemessages keeps them in ours.

The project catalogue (LOCALE_PATHS) is searched before Django's, so an entry here wins. Django
5.2 spells July "Gorffenaf"; the month is Gorffennaf. Nothing imports this module: it only holds
the msgids for extraction.
"""

from django.utils.translation import gettext_noop, pgettext_lazy

DJANGO_CATALOGUE_CORRECTIONS = [
    gettext_noop("July"),
    pgettext_lazy("alt. month", "July"),
]

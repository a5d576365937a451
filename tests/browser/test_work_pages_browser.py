"""A chief officer's queue in headless Chromium, with the keyboard only: home, read, confirm, signed."""

import pytest
from django.urls import reverse

from responses import services
from responses.models import Response

from .conftest import tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chief_walks_the_queue_to_a_sign_off_with_the_keyboard_only(
    world, gwent_staff, gwent_chief, new_page
):
    response = services.start_response(world.gwent, world.inspection, user=gwent_staff)
    services.save_draft(
        response, user=gwent_staff, fields={"pcc_overall_comments": "Good progress on training."}, sections={}
    )
    services.submit_for_sign_off(response, user=gwent_staff)
    response.refresh_from_db()
    services.sign_off(response, user=gwent_chief, version_number=response.current_version.number)
    response.refresh_from_db()
    services.save_draft(
        response,
        user=gwent_staff,
        fields={"pcc_overall_comments": "Steady progress on training."},
        sections={},
    )
    response.refresh_from_db()
    services.submit_for_sign_off(response, user=gwent_staff)

    page = new_page()
    page.goto("/accounts/login/")
    tab_to(page, "input[name=username]")
    page.keyboard.type("gwent.chief")
    page.keyboard.press("Tab")
    page.keyboard.type("test-pass-2022")
    page.keyboard.press("Enter")
    page.wait_for_url("**/forces/gwent/home/")

    sign_off_path = reverse("responses:sign-off", kwargs={"force_slug": "gwent", "pk": response.pk})
    assert page.locator(f'#sign-off ~ ul a[href="{sign_off_path}"]').count() == 1
    tab_to(page, f'a[href="{sign_off_path}"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{sign_off_path}")

    # The text first, then what changed since the signed version, then the confirmation at the end.
    html = page.content()
    assert html.index('id="text"') < html.index('id="changes"') < html.index('name="confirm"')
    assert page.locator("#changes ~ .app-diff del").first.inner_text().strip().startswith("[removed:")
    tab_to(page, "input[name=confirm]")
    page.keyboard.press("Space")
    tab_to(page, "main button")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{response.get_absolute_url()}")
    response.refresh_from_db()
    assert response.status == Response.Status.SIGNED_OFF
    assert response.current_version.signed_off_by == gwent_chief

"""The main journeys with JavaScript switched off in Chromium.

Comuna ships no JavaScript: pages are forms and links, for cheap phones and strict CSPs. These
tests keep it so: a button or a page that needs a script to work fails here first.
"""

from __future__ import annotations

import pytest

from tests import builders
from tests.browser import test_assembly_journey as journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def no_js(browser):
    context = browser.new_context(
        locale="es-VE", viewport={"width": 412, "height": 915}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_content("<title>off</title><script>document.title = 'on'</script>")
    assert page.title() == "off", "JavaScript is still enabled"
    yield page
    context.close()


def test_it_runs_an_assembly_to_its_acta_without_javascript(no_js, live_server, tmp_path):
    # The same journey as tests/browser/test_assembly_journey.py, step by step: convene,
    # attendance until quorum, open, a motion, the vote, close, the acta printed to PDF.
    journey.test_it_runs_an_assembly_and_prints_its_acta(no_js, live_server, tmp_path)


def test_it_votes_secretly_from_a_phone_without_javascript(no_js, live_server):
    council = builders.make_council(residents=8)
    assembly = builders.open_with_quorum(builders.convene(council))
    motion = builders.motion(assembly, "secret_phone", title="Pintar la escuela")
    code = assembly.attendance.order_by("pk").first().voting_code
    no_js.goto(f"{live_server.url}/b/{council.slug}/motions/{motion.pk}/ballot/")
    no_js.get_by_label("Su código de votación").fill(code)
    no_js.get_by_label("Sí").check()
    no_js.get_by_role("button", name="Depositar mi boleta").click()
    receipt = no_js.locator("strong.receipt").inner_text()
    assert len(receipt) >= 8
    assert motion.voter_marks.count() == 1

"""axe-core on the main pages, in Spanish, on a phone-sized screen: no serious or critical
violation. And the attendance desk works from the keyboard.

axe-core comes from npm (``package.json``; ``make browser`` runs ``npm ci``). Playwright adds
it to the page as an inline script, which Comuna's CSP forbids: this test alone opens its
pages with the CSP bypassed (``tests/browser/test_xss.py`` checks the CSP itself).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from comuna.economy.models import Account, Entry
from tests.apps.populated_scene import Populated, populated_council
from tests.browser.test_assembly_journey import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
# Violations, and the checks axe could not finish ("incomplete") except colour contrast where
# it could not tell the background (overlapping boxes): those it says need a human.
RUN_AXE = """async () => {
  const result = await axe.run(document);
  const unsure = result.incomplete.filter(v => v.id !== 'color-contrast');
  return result.violations.concat(unsure).map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
  }));
}"""


@pytest.fixture
def scene(transactional_db) -> Populated:
    return populated_council()


@pytest.fixture
def phone(browser):
    if not AXE.is_file():
        pytest.fail(f"axe-core not found at {AXE}: run `npm ci` (make browser)")
    context = browser.new_context(
        locale="es-VE", viewport={"width": 412, "height": 915}, bypass_csp=True
    )
    yield context.new_page()
    context.close()


def violations(page, url: str) -> list[dict[str, object]]:
    response = page.goto(url)
    assert response.status == 200, url
    page.add_script_tag(path=str(AXE))
    found = [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]
    # Reflow (WCAG 1.4.10): on a phone the page never scrolls sideways.
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > page.viewport_size["width"]:
        found.append({"id": "reflow", "impact": "serious", "help": f"{width}px wide"})
    return found


def main_pages(scene: Populated) -> list[str]:
    b = f"/b/{scene.body.slug}"
    motions = [f"{b}/motions/{m.pk}/" for m in scene.motions.values()]
    process, project = scene.process, scene.funded
    assert process is not None and project is not None
    return [
        "/",
        f"{b}/",
        f"{b}/census/",
        f"{b}/census/residents/new/",
        f"{b}/assemblies/",
        f"{b}/assemblies/new/",
        f"{b}/assemblies/{scene.convened.pk}/",
        f"{b}/assemblies/{scene.session.pk}/",
        f"{b}/assemblies/{scene.convened.pk}/attendance/?q=Texto",
        f"{b}/assemblies/{scene.closed.pk}/acta/",
        f"{b}/assemblies/{scene.closed.pk}/sheet/",
        *motions,
        f"{b}/motions/{scene.motions['secret_phone'].pk}/ballot/",
        f"{b}/motions/{scene.motions['secret_closed'].pk}/ballot-box/?receipt={scene.receipt}",
        f"{b}/decisions/",
        f"{b}/record/",
        f"{b}/ruleset/",
        f"{b}/budgets/",
        f"{b}/budgets/new/",
        f"{b}/budgets/{process.pk}/",
        f"{b}/budgets/{process.pk}/ballot/",
        f"{b}/budgets/{process.pk}/result/",
        f"{b}/budgets/{process.pk}/voters/?receipt={scene.budget_receipt}",
        f"{b}/budgets/projects/{project.pk}/",
        *treasury_pages(scene),
    ]


def treasury_pages(scene: Populated) -> list[str]:
    b = f"/b/{scene.body.slug}/treasury"
    bank = Account.objects.get(body=scene.body, code="1200")
    entry = Entry.objects.filter(body=scene.body).order_by("number").last()
    assert entry is not None
    return [f"{b}/", f"{b}/journal/", f"{b}/accounts/{bank.pk}/", f"{b}/entries/{entry.pk}/",
            f"{b}/payment/"]  # fmt: skip


def test_it_finds_no_serious_violation_on_the_main_pages(phone, live_server, scene):
    base = live_server.url
    found = {"/accounts/login/": violations(phone, base + "/accounts/login/")}
    login(phone, base, "marta")
    for url in main_pages(scene):
        found[url] = violations(phone, base + url)
    assert len(found) > 25
    assert {url: v for url, v in found.items() if v} == {}


def test_it_finds_no_serious_violation_on_the_promoters_pages(phone, live_server, scene):
    base, slug = live_server.url, scene.body.slug
    login(phone, base, "luis")
    pages = [f"/b/{slug}/roles/", f"/b/{slug}/offices/accounts/link/"]
    pages += [f"/b/{slug}/registration/", "/found/"]
    found = {url: violations(phone, base + url) for url in pages}
    assert {url: v for url, v in found.items() if v} == {}


def test_it_finds_no_serious_violation_on_the_ballot_receipt(phone, live_server, scene):
    motion = scene.motions["secret_phone"]
    code = scene.session.attendance.order_by("pk")[4].voting_code
    phone.goto(f"{live_server.url}/b/{scene.body.slug}/motions/{motion.pk}/ballot/")
    phone.get_by_label("Su código de votación").fill(code)
    phone.get_by_label("Sí").check()
    phone.get_by_role("button", name="Depositar mi boleta").click()
    assert phone.locator("strong.receipt").is_visible()
    phone.add_script_tag(path=str(AXE))
    assert [v for v in phone.evaluate(RUN_AXE) if v["impact"] in BLOCKING] == []


def test_it_reaches_the_search_and_the_present_buttons_by_keyboard(page, live_server, scene):
    base = live_server.url
    login(page, base, "marta")
    page.goto(f"{base}/b/{scene.body.slug}/assemblies/{scene.convened.pk}/attendance/")
    search = page.get_by_label("Buscar un integrante por nombre o cédula")
    for _ in range(40):
        if search.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("Tab never reached the search field")
    page.keyboard.type("Texto")
    page.keyboard.press("Enter")
    page.wait_for_url("**/attendance/?q=Texto")
    present = page.get_by_role("button", name="como presente")
    assert present.count() >= 3
    reached = set()
    for _ in range(80):
        page.keyboard.press("Tab")
        label = page.evaluate("() => document.activeElement.getAttribute('aria-label') || ''")
        if label.startswith("Marcar a "):
            reached.add(label)
    assert len(reached) == present.count()
    # And Enter on a focused button records the attendance.
    before = scene.convened.attendance.count()
    present.first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("status").get_by_text("presente").is_visible()
    assert scene.convened.attendance.count() == before + 1

"""The feed in real headless Chromium (Debian's /usr/bin/chromium, driven by playwright; no browser download).

Open the feed, produce an article through Kafka (articles.raw -> ingest -> clean -> entities -> stories), see it
appear with its entities highlighted within 3 s and its alert in the side column, produce a copy of it from
another outlet and see the same card update to two copies (no new card, no second alert for the story),
check that a title `<script>alert(1)</script>` renders as text, filter by an entity, and keep screenshots
under docs/screenshots/.
"""
from __future__ import annotations

import os
import shutil
import time
import urllib.request
import uuid
from pathlib import Path

import orjson
import pytest

from streams.topics import ENRICHED, RAW
from tests.integration.alerting import add_rules, as_message, enriched
from tests.integration import kafka_io


REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("AKHBAR_TEST_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("AKHBAR_TEST_SCREENSHOTS", REPO / "docs" / "screenshots"))
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]

pytestmark = pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"no Chromium at {CHROMIUM} "
                                "(Debian: apt-get install -y chromium)")
pytestmark = [pytestmark, pytest.mark.browser]

BODY = ("سمحت السلطات العراقية بدخول المئات من الجنود السوريين الفارين من الجبهة إلى العراق عن طريق معبر القائم "
        "الحدودي، وقال مسؤول في بغداد إن الانشقاقات تتزايد في صفوف الجيش السوري.")
# another story (the warm-up), which the keyword rule also matches
WARM_BODY = ("أعلنت وزارة الدفاع التركية في أنقرة أنها رصدت تحركات جديدة قرب الحدود، وتحدثت صحف محلية عن انشقاق "
             "ضابطين من فصيل مسلح في ريف حلب الشمالي بعد خلافات على الرواتب والمواقع.")


def send(settings, topic, messages):
    """kafka_io.send in a thread: playwright's sync API keeps an event loop running in this one."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(kafka_io.send, settings, topic, messages).result()


def raw(title, body=BODY, source="browser-test"):
    aid = uuid.uuid4().hex[:20]
    return aid, (aid.encode(), orjson.dumps({"id": aid, "title": title, "body": body, "source": source}), None)


@pytest.fixture
def browser_page(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=ARGS,
            viewport={"width": 1280, "height": 900}, locale="ar",
            bypass_csp=True)  # lets the test harness evaluate its waits; the page escapes text itself
        page = context.new_page()
        page.dialogs = []
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        try:
            yield page
        finally:
            context.close()


def metric(port, name) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        text = r.read().decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name + " ")
               or line.startswith(name + "{"))


def test_feed_in_chromium(pipeline, tmp_path, browser_page):
    page = browser_page
    add_rules(pipeline, tmp_path, "id: defections\nseverity: high\nname: انشقاقات\nmatch: {keyword: انشقاق}\n")
    proc = pipeline.start_worker()  # the whole pipeline, stories and alerts: one worker
    port = int(proc.args[proc.args.index("--web-port") + 1])
    settings = pipeline.settings

    # warm-up: the first article also loads the NER model; the 3 s promise is for a running pipeline
    warm_id, warm = raw("تمهيد: تحركات قرب الحدود", body=WARM_BODY)
    send(settings, pipeline.topic(RAW), [warm])
    page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
    page.wait_for_selector("body[data-live='1']", timeout=15000)
    page.wait_for_selector(f"article[data-id='{warm_id}']", timeout=30000)

    title = "فرار المئات من القوات السورية إلى العراق"
    art_id, message = raw(title)
    t0 = time.monotonic()
    send(settings, pipeline.topic(RAW), [message])
    page.wait_for_selector(f"article[data-id='{art_id}'] mark.ent", timeout=3000)
    seen_after = time.monotonic() - t0
    assert seen_after < 3.0
    card = page.locator(f"article[data-id='{art_id}']")
    marks = card.locator("mark.ent")
    assert marks.count() >= 1
    types = set(card.locator("mark.ent").evaluate_all("ms => ms.map(m => m.dataset.type)"))
    assert types <= {"PER", "LOC", "ORG", "MISC"}
    # highlighted by type: the background follows the type
    colour = marks.first.evaluate("m => getComputedStyle(m).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # one alert per story: the warm-up's (maybe already in the history the page fetched) and this one's
    page.wait_for_function("document.querySelectorAll('#alerts li').length >= 2", timeout=10000)

    # a copy of the same wire story from another outlet: the card updates in place, no new card, no new alert
    copy_id, copy = raw(title, body="بغداد - " + BODY.replace("الحدودي،", "الحدودي ،"), source="outlet-b")
    suppressed = metric(port, "akhbar_alerts_suppressed_total")
    send(settings, pipeline.topic(RAW), [copy])
    page.wait_for_function("id => (document.querySelector(`article[data-story='${id}'] .story-count`) || {})"
                           ".textContent === 'نسخ: 2 · مصادر: 2'", arg=art_id, timeout=10000)
    assert page.locator(f"article[data-story='{art_id}']").count() == 1
    assert page.locator(f"article[data-id='{copy_id}']").count() == 0
    card.locator("details.story summary").click()
    member = card.locator(f"details.story li[data-id='{copy_id}']")
    member.wait_for(timeout=3000)
    assert "outlet-b" in member.text_content()
    deadline = time.monotonic() + 15
    while metric(port, "akhbar_alerts_suppressed_total") <= suppressed and time.monotonic() < deadline:
        time.sleep(0.2)
    assert metric(port, "akhbar_alerts_suppressed_total") > suppressed  # the copy's alert was suppressed ...
    assert page.locator("#alerts li").count() == 2  # ... so still one alert per story, each shown once
    page.screenshot(path=str(SHOTS / "feed.png"), full_page=False)

    # an article whose title is markup, straight onto articles.enriched: it must render as text
    evil = enriched("<script>alert(1)</script>", "نص عن <img src=x onerror=alert(2)> العراق",
                    entities=["العراق"], source="evil")
    send(settings, pipeline.topic(ENRICHED), [as_message(evil)])
    evil_card = page.locator(f"article[data-id='{evil['id']}']")
    evil_card.wait_for(timeout=3000)
    assert evil_card.locator(".title").text_content() == "<script>alert(1)</script>"
    assert "<img src=x onerror=alert(2)>" in evil_card.locator(".body").text_content()
    assert evil_card.locator("script, img").count() == 0
    page.wait_for_timeout(300)
    assert page.dialogs == [] and page.errors == []

    # filter by an entity: click the first highlighted entity of our article
    canonical = marks.first.get_attribute("data-canonical")
    marks.first.click()
    page.wait_for_function("c => new URL(location.href).searchParams.get('entity') === c", arg=canonical)
    assert page.locator("#f-entity").input_value() == canonical
    shown = page.locator("article.article")
    ids = shown.evaluate_all("as => as.map(a => a.dataset.id)")
    assert art_id in ids and warm_id not in ids
    for i in range(shown.count()):
        names = shown.nth(i).locator("[data-canonical]").evaluate_all("ns => ns.map(n => n.dataset.canonical)")
        assert canonical in names
    page.screenshot(path=str(SHOTS / "feed-filtered.png"), full_page=False)

    # a filter nothing matches empties the list; clearing brings everything back
    page.fill("#f-entity", "كيان غير موجود")
    page.wait_for_selector("#articles .empty")
    page.click("#f-clear")
    page.wait_for_selector(f"article[data-id='{warm_id}']")
    assert "Ignoring missing topic" not in pipeline.log(proc)  # every table's changelog was assigned
    print(f"article visible in the browser {seen_after * 1000:.0f} ms after produce")

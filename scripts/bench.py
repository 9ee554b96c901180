#!/usr/bin/env python3
"""Latency of Covenant's pages over HTTP from another process (see scripts/bench.sh).

Signs in, warms up, then requests each URL sequentially on one keep-alive connection and
prints p50 / p99 / max in milliseconds. Loopback latency is a fraction of a millisecond, so
the figures are server time to within that. /healthz runs in the same pass as a baseline.

Then the boards under load: 8 clients at once, each on its own keep-alive connection, load
the lifecycle and deal boards and move cards the way the boards' script does (the move's
answer includes every column's new figures). /healthz again first, under the same load.
This client shares the machine's cores with the server, so the figures are an upper bound.
"""
import http.client
import json
import os
import re
import statistics
import sys
import threading
import time
import urllib.parse

BASE = urllib.parse.urlparse(sys.argv[1])
EMAIL, PASSWORD = sys.argv[2], sys.argv[3]
ROUNDS = int(sys.argv[4]) if len(sys.argv) > 4 else 300

URLS = [
    ("healthz", "/healthz"),
    ("list, first page", "/clients"),
    ("list, filters", "/clients?kind=both&risk=growth&kyc=expired"),
    ("list, sector by date", "/clients?sector=energy&sort=updated"),
    ("search 王伟 (name)", "/clients?q=" + urllib.parse.quote("王伟")),
    ("search 长江基础 (name)", "/clients?q=" + urllib.parse.quote("长江基础")),
    ("search yang (Latin prefix)", "/clients?q=yang"),
    ("search wang.wei (e-mail)", "/clients?q=wang.wei"),
    ("search 8888 (phone)", "/clients?q=8888"),
    ("client page (deals, timeline)", "/clients/101"),
    ("projects, name search", "/projects?q=" + urllib.parse.quote("风电")),
    ("deals, first page + totals", "/deals"),
    ("deals, stage + owner", "/deals?stage=committed&owner=3"),
    ("project page (deals, timeline)", "/projects/7"),
    # As a browser asks: compressed. The page is compressed per request; the bundle is
    # served from the release build's precompressed copy.
    ("lifecycle board, br", "/lifecycle?owner=all", {"Accept-Encoding": "gzip, deflate, br"}),
    ("browser bundle (wasm), br", "/pkg/covenant.wasm", {"Accept-Encoding": "gzip, deflate, br"}),
]


def connect():
    return http.client.HTTPConnection(BASE.hostname, BASE.port, timeout=30)


def sign_in(conn):
    body = urllib.parse.urlencode({"email": EMAIL, "password": PASSWORD})
    origin = f"{BASE.scheme}://{BASE.netloc}"
    conn.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin})
    response = conn.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    if response.status != 303 or response.getheader("Location") != "/" or not cookie:
        sys.exit(f"sign-in failed: {response.status} {response.getheader('Location')}")
    return cookie


def timed(conn, path, cookie, headers=None):
    start = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie, **(headers or {})})
    response = conn.getresponse()
    response.read()
    elapsed = (time.perf_counter() - start) * 1000
    if response.status != 200:
        sys.exit(f"{path}: HTTP {response.status}")
    return elapsed


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


CLIENTS = 8

BOARD_URLS = [
    ("healthz", "/healthz"),
    ("lifecycle board, everyone", "/lifecycle?owner=all"),
    ("lifecycle board, 3 filters", "/lifecycle?owner=all&kind=investor&risk=growth&sector=energy"),
    ("lifecycle board, search", "/lifecycle?owner=all&q=" + urllib.parse.quote("长江")),
    ("lifecycle, one column page 2", None),
    ("deal board, everyone", "/pipeline?owner=all"),
    ("deal board, one project", "/pipeline?owner=all&project=7"),
]


def report(label, samples, note=""):
    print(f"{label:32} {statistics.median(samples):8.2f} {percentile(samples, 99):8.2f} {max(samples):8.2f}{note}")


def page(conn, path, cookie):
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    body = response.read().decode()
    if response.status != 200:
        sys.exit(f"{path}: HTTP {response.status}")
    return body


def cards_of(html):
    """(id, version) of every card on a board page."""
    return [(int(i), int(v)) for i, v in re.findall(r'id="card-(\d+)"[^>]*?data-version="(\d+)"', html)]


def more_link(html):
    found = re.search(r'href="(/(?:lifecycle|pipeline)\?[^"]*after=[^"]*)"', html)
    return found and found.group(1).replace("&amp;", "&")


def collect(conn, cookie, path, wanted):
    """At least `wanted` movable cards of one column, following its "load more" pages."""
    cards, link = [], path
    while link and len(cards) < wanted:
        html = page(conn, link, cookie)
        cards += cards_of(html)
        link = more_link(html)
    if len(cards) < wanted:
        sys.exit(f"{path}: only {len(cards)} cards")
    return cards[:wanted]


def in_parallel(work):
    """Runs work(n) in CLIENTS threads; returns every thread's samples together."""
    results = [[] for _ in range(CLIENTS)]
    threads = [threading.Thread(target=lambda n=n: results[n].extend(work(n))) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [s for r in results for s in r]


def move(conn, cookie, endpoint, card, stage, back):
    """One script move; returns (ms, new version)."""
    body = urllib.parse.urlencode({
        "id": card[0], "version": card[1], "to": stage, "reason": "",
        "request_id": os.urandom(16).hex(), "back": back,
    })
    origin = f"{BASE.scheme}://{BASE.netloc}"
    start = time.perf_counter()
    conn.request("POST", f"/rpc/{endpoint}", body, {
        "Cookie": cookie, "Origin": origin, "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
    })
    response = conn.getresponse()
    answer = response.read()
    elapsed = (time.perf_counter() - start) * 1000
    if response.status != 200:
        sys.exit(f"move {card}: HTTP {response.status} {answer[:200]}")
    outcome = json.loads(answer)["outcome"]
    if "Moved" not in outcome:
        sys.exit(f"move {card}: {outcome}")
    return elapsed, outcome["Moved"]["version"]


def move_work(cookie, endpoint, cards, stages, back):
    """A thread's moves: its own cards back and forth between two stages."""
    def work(n):
        conn = connect()
        mine = [list(c) for c in cards[n::CLIENTS]]
        where = [0] * len(mine)
        samples = []
        for round_ in range(ROUNDS // 4 + 5):
            k = round_ % len(mine)
            where[k] = 1 - where[k]
            ms, mine[k][1] = move(conn, cookie, endpoint, mine[k], stages[where[k]], back)
            if round_ >= 5:
                samples.append(ms)
        return samples
    return work


def boards_under_load(cookie):
    conn = connect()
    second_page = more_link(page(conn, "/lifecycle?owner=all&column=development", cookie))
    print(f"\n{'boards, 8 clients at once':32} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}   ({CLIENTS} x {ROUNDS // 4} requests each)")
    for label, path in BOARD_URLS:
        path = path or second_page

        def work(_n, path=path):
            own = connect()
            for _ in range(5):
                timed(own, path, cookie)
            return [timed(own, path, cookie) for _ in range(ROUNDS // 4)]
        report(label, in_parallel(work))
    lifecycle_cards = collect(conn, cookie, "/lifecycle?owner=all&column=acquisition", CLIENTS * 6)
    samples = in_parallel(move_work(cookie, "lifecycle/move", lifecycle_cards, ["acquisition", "development"], "?owner=all"))
    report("move a client (with figures)", samples)
    deal_cards = collect(conn, cookie, "/pipeline?owner=all&column=prospect", CLIENTS * 6)
    samples = in_parallel(move_work(cookie, "pipeline/move", deal_cards, ["prospect", "contacted"], "?owner=all"))
    report("move a deal (with figures)", samples)


def main():
    conn = connect()
    cookie = sign_in(conn)
    print(f"{'request':32} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}   ({ROUNDS} sequential requests each)")
    for label, path, *headers in URLS:
        headers = headers[0] if headers else None
        for _ in range(20):
            timed(conn, path, cookie, headers)
        samples = [timed(conn, path, cookie, headers) for _ in range(ROUNDS)]
        report(label, samples)
    boards_under_load(cookie)


main()

#!/usr/bin/env python3
"""Latency of Covenant's pages over HTTP from another process (see scripts/bench.sh).

Signs in, warms up, then requests each URL sequentially on one keep-alive connection and
prints p50 / p99 / max in milliseconds. Loopback latency is a fraction of a millisecond, so
the figures are server time to within that. /healthz runs in the same pass as a baseline.
"""
import http.client
import statistics
import sys
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


def timed(conn, path, cookie):
    start = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    response.read()
    elapsed = (time.perf_counter() - start) * 1000
    if response.status != 200:
        sys.exit(f"{path}: HTTP {response.status}")
    return elapsed


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    conn = connect()
    cookie = sign_in(conn)
    print(f"{'request':32} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}   ({ROUNDS} sequential requests each)")
    for label, path in URLS:
        for _ in range(20):
            timed(conn, path, cookie)
        samples = [timed(conn, path, cookie) for _ in range(ROUNDS)]
        print(f"{label:32} {statistics.median(samples):8.2f} {percentile(samples, 99):8.2f} {max(samples):8.2f}")


main()

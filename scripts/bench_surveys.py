#!/usr/bin/env python3
"""Sets up the survey submission benchmark (see scripts/bench.sh surveys).

Signs in as the bench administrator, builds a survey the way staff do (an NPS, a CSAT and
a comment question), opens it and sends a wave to every investor contact of the large data
set, then reads each invitation's link from the mail the outbox queued (the bench server
runs no mail worker) and writes the tokens, one per line, with the field names of the
answer form, to the file given.

Usage: bench_surveys.py BASE_URL EMAIL PASSWORD DATABASE_URL OUT_FILE
"""
import http.client
import re
import sqlite3
import subprocess
import sys
import urllib.parse

BASE = urllib.parse.urlparse(sys.argv[1])
EMAIL, PASSWORD, DATABASE_URL, OUT = sys.argv[2:6]
ORIGIN = f"{BASE.scheme}://{BASE.netloc}"


def connect():
    return http.client.HTTPConnection(BASE.hostname, BASE.port, timeout=600)


def request(conn, method, path, cookie=None, form=None):
    headers = {"Origin": ORIGIN}
    if cookie:
        headers["Cookie"] = cookie
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body, headers)
    response = conn.getresponse()
    text = response.read().decode()
    return response, text


def form_key(html):
    found = re.search(r'name="form_key" value="([^"]+)"', html)
    if not found:
        sys.exit("no form key on the page")
    return found.group(1)


def main():
    conn = connect()
    response, _ = request(conn, "POST", "/login", form={"email": EMAIL, "password": PASSWORD})
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    if response.status != 303 or not cookie:
        sys.exit(f"sign-in failed: {response.status}")
    _, html = request(conn, "GET", "/surveys", cookie)
    response, _ = request(conn, "POST", "/surveys/new", cookie, {
        "form_key": form_key(html), "title_zh": "基准测试调查", "title_en": "Benchmark survey",
        "link_days": "30", "reminder_days": "0", "max_reminders": "0",
    })
    location = response.getheader("Location", "")
    survey = re.search(r"/surveys/(\d+)", location)
    if response.status != 303 or not survey:
        sys.exit(f"creating the survey failed: {response.status}")
    survey = survey.group(1)
    questions = [
        ("nps", "您向同行推荐我们的可能性有多大？", "How likely are you to recommend us?", "on"),
        ("csat", "您对我们的服务满意吗？", "How satisfied are you with our service?", "on"),
        ("text", "您的意见", "Your comments", ""),
    ]
    for kind, zh, en, required in questions:
        _, html = request(conn, "GET", f"/surveys/{survey}", cookie)
        form = {"form_key": form_key(html), "kind": kind, "prompt_zh": zh, "prompt_en": en}
        if required:
            form["required"] = required
        response, _ = request(conn, "POST", f"/surveys/{survey}/questions", cookie, form)
        if response.status != 303:
            sys.exit(f"adding a question failed: {response.status}")
    response, _ = request(conn, "POST", f"/surveys/{survey}/status", cookie, {"to": "open"})
    _, html = request(conn, "GET", f"/surveys/{survey}", cookie)
    response, _ = request(conn, "POST", f"/surveys/{survey}/send", cookie,
                          {"form_key": form_key(html), "group": "investors"})
    if response.status != 303:
        sys.exit(f"sending failed: {response.status}")
    print(f"sent: {response.getheader('Location')}")
    sql = (
        "SELECT o.body_text FROM outbox o JOIN survey_invitations i "
        "ON o.purpose = 'survey.invite:' || CAST(i.id AS TEXT) "
        f"WHERE i.survey_id = {int(survey)}"
    )
    if DATABASE_URL.startswith("sqlite:"):
        path = DATABASE_URL.removeprefix("sqlite://")
        bodies = [row[0] for row in sqlite3.connect(path).execute(sql)]
    else:
        out = subprocess.run(["psql", DATABASE_URL, "-tA", "-c", sql], check=True,
                             capture_output=True, text=True).stdout
        bodies = [out]
    tokens = sorted(set(re.findall(r"/s/([0-9a-f]{64})(?!/unsubscribe)\b", "\n".join(bodies))))
    _, page = request(conn, "GET", f"/s/{tokens[0]}")
    fields = sorted(set(re.findall(r'name="(q\d+)"', page)), key=lambda f: int(f[1:]))
    with open(OUT, "w") as f:
        f.write(" ".join(fields) + "\n")
        f.write("\n".join(tokens) + "\n")
    print(f"{len(tokens)} links, answer fields {fields}")


main()

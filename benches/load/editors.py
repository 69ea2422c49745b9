#!/usr/bin/env python3
"""Office traffic for the management load test (manage.sh): province editors uploading
and submitting in a loop, and one admin approving in a loop, against a real
`bando serve --data-dir`. Standard library only.

Steps:
  1. sign in each account through the login form and create an API token (the routes
     scripts use), then print `READY`: manage.sh starts the read load on it, so the
     sign-ins (argon2, on purpose slow) are not part of the measured run;
  2. pick, for each editor's province (edition 2025), the commune results of the embedded
     file whose commune lies in it (crosswalk 2024 -> 2025 communes);
  3. for DURATION seconds: each editor uploads (even editors: a one-row CSV changing a
     decision number; odd editors: their province's Excel template, as downloaded),
     submits, then pauses PAUSE seconds; the admin approves the newest submitted
     submission (conflicts=overwrite), or waits 0.2 s when there is none;
  4. print one line `OFFICES {json}`: counts by outcome and latency percentiles.

Usage: editors.py BASE DURATION PAUSE ACCOUNTS_FILE
ACCOUNTS_FILE: one `username password role province` per line (province `-` for the admin).
"""
import csv
import http.cookiejar
import json
import random
import re
import sys
import threading
import time
import urllib.error
import urllib.request

BASE, DURATION, PAUSE, ACCOUNTS = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
GEODATA = "geodata"


def request(opener, method, path, body=None, headers=None):
    """(status, bytes) of a request; HTTP errors are answers too."""
    req = urllib.request.Request(BASE + path, data=body, method=method, headers=headers or {})
    try:
        with opener.open(req, timeout=120) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def token_of(username, password):
    """Signs in through the form and creates an API token."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    _, page = request(opener, "GET", "/manage/login")
    csrf = re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()
    form = urllib.parse.urlencode({"username": username, "password": password, "csrf": csrf}).encode()
    request(opener, "POST", "/manage/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
    _, home = request(opener, "GET", "/manage")
    csrf = re.search(rb'name="csrf" value="([^"]+)"', home).group(1).decode()
    status, body = request(opener, "POST", "/api/v1/manage/tokens", json.dumps({"name": "load"}).encode(),
                           {"Content-Type": "application/json", "X-CSRF-Token": csrf})
    assert status == 201, (username, status, body[:300])
    return json.loads(body)["token"]


def rows_by_province():
    """Commune result rows of the embedded file by edition-2025 province code."""
    province_2025 = {r["code"]: r["province_code"] for r in csv.DictReader(open(f"{GEODATA}/reference/communes-2025.csv"))}
    to_2025 = {}
    for r in csv.DictReader(open(f"{GEODATA}/reference/crosswalk-2024-2025.csv")):
        to_2025.setdefault(r["code_2024"], set()).add(province_2025.get(r["code_2025"]))
    out = {}
    with open(f"{GEODATA}/results-communes.csv") as f:
        for r in csv.DictReader(f):
            provinces = to_2025.get(r["code"], set())
            if len(provinces) == 1:
                out.setdefault(next(iter(provinces)), []).append(r)
    return out


stats_lock = threading.Lock()
stats = {"upload": [], "approve": [], "statuses": {}}


def note(kind, started, status):
    with stats_lock:
        stats[kind].append(time.monotonic() - started)
        key = f"{kind}_{status}"
        stats["statuses"][key] = stats["statuses"].get(key, 0) + 1


def editor(number, token, province, rows, deadline):
    auth = {"Authorization": f"Bearer {token}"}
    opener = urllib.request.build_opener()
    rng = random.Random(number)
    workbook = None
    if number % 2 == 1:
        status, workbook = request(opener, "GET", f"/manage/template/{province}.xlsx", headers=auth)
        assert status == 200, (province, status, workbook[:300])
    n = 0
    while time.monotonic() < deadline:
        n += 1
        started = time.monotonic()
        if workbook is not None:
            status, body = request(opener, "POST", f"/api/v1/manage/uploads?file_name=KetQua-{province}.xlsx", workbook,
                                   {**auth, "Content-Type": "application/octet-stream"})
        else:
            r = rng.choice(rows)
            line = ",".join([r["code"], r["year"], r["level"], r["criteria_met"], r["recognized_on"], f"{n}/QĐ-E{number}"])
            text = "code,year,level,criteria_met,recognized_on,decision\n" + line + "\n"
            status, body = request(opener, "POST", "/api/v1/manage/uploads?file_name=results-communes.csv", text.encode(),
                                   {**auth, "Content-Type": "text/csv"})
        if status == 201:
            sid = json.loads(body)["submission"]["id"]
            status, _ = request(opener, "POST", f"/api/v1/manage/submissions/{sid}/submit", b"", auth)
        note("upload", started, status)
        time.sleep(PAUSE)


def admin(token, deadline):
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    opener = urllib.request.build_opener()
    while time.monotonic() < deadline:
        status, body = request(opener, "GET", "/api/v1/manage/submissions?status=submitted", headers=auth)
        waiting = json.loads(body)["submissions"] if status == 200 else []
        if not waiting:
            time.sleep(0.2)
            continue
        started = time.monotonic()
        sid = waiting[0]["id"]
        status, _ = request(opener, "POST", f"/api/v1/manage/submissions/{sid}/approve",
                            json.dumps({"comment": "load", "conflicts": "overwrite"}).encode(), auth)
        note("approve", started, status)


def percentile(values, p):
    values = sorted(values)
    return round(values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000) if values else None


def main():
    accounts = [line.split() for line in open(ACCOUNTS) if line.strip()]
    rows = rows_by_province()
    tokens = [(a, token_of(a[0], a[1])) for a in accounts]
    print("READY", flush=True)
    deadline = time.monotonic() + DURATION
    threads = []
    number = 0
    for (username, _, role, province), token in tokens:
        if role == "admin":
            threads.append(threading.Thread(target=admin, args=(token, deadline)))
        else:
            threads.append(threading.Thread(target=editor, args=(number, token, province, rows[province], deadline)))
            number += 1
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    summary = {
        "uploads": len(stats["upload"]), "upload_p50_ms": percentile(stats["upload"], 50), "upload_p99_ms": percentile(stats["upload"], 99),
        "approvals": len(stats["approve"]), "approve_p50_ms": percentile(stats["approve"], 50), "approve_p99_ms": percentile(stats["approve"], 99),
        "statuses": stats["statuses"],
    }
    print("OFFICES " + json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()

"""Load on the workbench's JSON API: N concurrent clients for D seconds.

Each client is logged in as one of the 60 unit users (several clients
share a user) and loops over a mix of requests: its unit's result
(`GET /api/units/{id}`, 70%), its objections (`GET /api/objections`,
15%), `GET /api/me` (10%), and filing an objection on one of its own
deductions not yet objected to (`POST /api/objections`, 5%; a read when
none is left). Every answer must be the expected status (200, or 201 for
a filing); anything else, and any transport error, is an error.
Logins happen before the clock starts.

Usage: load.py BASE_URL CLIENTS SECONDS
Prints requests/s and p50/p99 latency overall and per kind.
"""

import asyncio
import random
import sys
import time

import aiohttp

BASE, CLIENTS, SECONDS = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
PASSWORD = "load-bench-password"
UNITS = [f"D{i:03}" for i in range(1, 41)] + [f"T{i:03}" for i in range(1, 21)]

lat = {}  # kind -> [seconds]
errors = []
filed = set()


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p / 100 * len(v)))] if v else float("nan")


async def client(i, session, stop):
    unit = UNITS[i % len(UNITS)]
    r = await session.post(f"{BASE}/api/login", json={"name": unit.lower(), "password": PASSWORD})
    assert r.status == 200, await r.text()
    r = await session.get(f"{BASE}/api/units/{unit}")
    own = [(e["dataset"], e["record_key"]) for e in (await r.json())["evidence"] if e["points"] < 0]
    # Records with an objection already (the register a first start
    # took in) are not filed again.
    r = await session.get(f"{BASE}/api/objections")
    filed.update((o["dataset"], o["record_key"]) for o in await r.json())
    rng = random.Random(i)
    await start.wait()
    while time.perf_counter() < stop[0]:
        x = rng.random()
        todo = [k for k in own if k not in filed]
        if x < 0.05 and todo:
            key = rng.choice(todo)
            filed.add(key)
            kind, req = "file", session.post(f"{BASE}/api/objections", json={
                "dataset": key[0], "record_key": key[1], "reason": "压测异议"})
            want = 201
        elif x < 0.20:
            kind, req, want = "objections", session.get(f"{BASE}/api/objections"), 200
        elif x < 0.30:
            kind, req, want = "me", session.get(f"{BASE}/api/me"), 200
        else:
            kind, req, want = "unit", session.get(f"{BASE}/api/units/{unit}"), 200
        t = time.perf_counter()
        try:
            async with req as r:
                await r.read()
                if r.status != want:
                    errors.append(f"{kind}: {r.status}")
        except Exception as e:  # noqa: BLE001 - every failure counts
            errors.append(f"{kind}: {e!r}")
        lat.setdefault(kind, []).append(time.perf_counter() - t)


async def main():
    global start
    start = asyncio.Event()
    stop = [float("inf")]
    conn = aiohttp.TCPConnector(limit=0)
    sessions = [aiohttp.ClientSession(connector=conn, connector_owner=False,
                                      cookie_jar=aiohttp.CookieJar(unsafe=True))
                for _ in range(CLIENTS)]
    tasks = [asyncio.create_task(client(i, s, stop)) for i, s in enumerate(sessions)]
    await asyncio.sleep(0)
    # Wait for every login (argon2id, one at a time per core).
    while sum(1 for s in sessions if len(s.cookie_jar) > 0) < CLIENTS:
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)
    t0 = time.perf_counter()
    stop[0] = t0 + SECONDS
    start.set()
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - t0
    for s in sessions:
        await s.close()
    await conn.close()
    n = sum(len(v) for v in lat.values())
    every = [x for v in lat.values() for x in v]
    print(f"clients {CLIENTS}, {wall:.1f} s: {n} requests, {n / wall:.0f} requests/s, "
          f"p50 {pct(every, 50) * 1e3:.1f} ms, p99 {pct(every, 99) * 1e3:.1f} ms, errors {len(errors)}")
    for k in sorted(lat):
        v = lat[k]
        print(f"  {k:<11} {len(v):>8} requests  p50 {pct(v, 50) * 1e3:7.1f} ms  p99 {pct(v, 99) * 1e3:7.1f} ms")
    if errors:
        print("errors (first 10):", errors[:10])
        sys.exit(1)


asyncio.run(main())

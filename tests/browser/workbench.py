"""The workbench in a real browser (headless Chromium through selenium).

A unit logs in and files an objection on a deduction; the office logs in,
upholds it and starts a run; the unit sees its score rise. Screenshots of
every step go to the screenshot directory.

Usage: workbench.py GOVTRUST_BINARY SCREENSHOT_DIR
Run by .ci/workbench-check, from the repository's root.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By

BINARY, SHOTS = sys.argv[1], sys.argv[2]
PASSWORD = "browser-test-password"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def users_add(db, name, role, unit=None):
    cmd = [BINARY, "users", "add", name, "--role", role, "--db", db]
    if unit:
        cmd += ["--unit", unit]
    subprocess.run(cmd, input=PASSWORD + "\n", text=True, check=True, capture_output=True)


def browser(profile):
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
              "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--window-size=1280,1600",
              "--lang=zh-CN"]:
        o.add_argument(a)
    o.add_argument("--user-data-dir=" + profile)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)


def main():
    os.makedirs(SHOTS, exist_ok=True)
    work = tempfile.mkdtemp(prefix="gt-workbench-")
    profile = tempfile.mkdtemp(prefix="gt-chromium-")
    db = "sqlite://" + os.path.join(work, "gt.db")
    users_add(db, "office", "office")
    users_add(db, "d001", "unit", "D001")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [BINARY, "serve", "--db", db, "--runs", os.path.join(work, "runs"),
         "--listen", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "serve.log"), "w"))
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        d = browser(profile)
        try:
            journey(d, base)
        finally:
            d.quit()
    finally:
        server.terminate()
        server.wait(timeout=10)
        # Both directories are this test's own.
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(profile, ignore_errors=True)
    print(f"workbench in Chromium: ok; screenshots in {SHOTS}")


def shot(d, name):
    d.save_screenshot(os.path.join(SHOTS, name + ".png"))


def login(d, base, name):
    d.get(base + "/login")
    d.find_element(By.NAME, "name").send_keys(name)
    d.find_element(By.NAME, "password").send_keys(PASSWORD)
    d.find_element(By.CSS_SELECTOR, "form.login button").click()
    wait(lambda: not d.current_url.endswith("/login"), d)


def wait(cond, d, seconds=30):
    """Poll until cond() holds: a click's navigation finishes on its own time."""
    end = time.time() + seconds
    while not cond():
        assert time.time() < end, d.page_source
        time.sleep(0.05)


def logout(d):
    d.find_element(By.CSS_SELECTOR, "form.logout button").click()
    wait(lambda: "/login" in d.current_url, d)


def run_to_done(d, base):
    d.get(base + "/runs")
    d.find_element(By.CSS_SELECTOR, "main form button").click()
    wait(lambda: "/runs/" in d.current_url, d)
    for _ in range(1200):
        try:
            status = d.find_element(By.CSS_SELECTOR, "main p span").text
        except WebDriverException:  # the page is refreshing itself
            status = ""
        if status in ("已完成", "失败"):
            break
        time.sleep(0.25)
    assert status == "已完成", d.page_source
    return d.current_url


def total(d):
    return float(d.find_element(By.CSS_SELECTOR, ".summary strong").text)


def journey(d, base):
    # The office publishes the first run.
    login(d, base, "office")
    assert d.find_element(By.TAG_NAME, "h1").text == "考核总览", d.page_source
    run_to_done(d, base)
    d.get(base + "/")
    shot(d, "1-office-overview")
    logout(d)

    # The unit sees its feedback and objects to a deduction.
    login(d, base, "d001")
    assert d.current_url.endswith("/units/D001"), d.current_url
    before = total(d)
    shot(d, "2-unit-feedback")
    row = next(r for r in d.find_elements(By.CSS_SELECTOR, "table.evidence tbody tr")
               if r.find_elements(By.TAG_NAME, "textarea")
               and r.find_elements(By.CSS_SELECTOR, "td.num")[0].text.startswith("-"))
    key = row.find_element(By.NAME, "record_key").get_attribute("value")
    row.find_element(By.TAG_NAME, "textarea").send_keys("该事项已依法办结，不应扣分。")
    row.find_element(By.CSS_SELECTOR, "form.object button").click()
    wait(lambda: "待处理" in d.page_source, d)
    shot(d, "3-unit-objected")
    logout(d)

    # The office upholds it and runs again.
    login(d, base, "office")
    link = next(a for a in d.find_elements(By.CSS_SELECTOR, "main table a")
                if a.get_attribute("href").rsplit("/", 2)[-2] == "objections"
                and key in a.find_element(By.XPATH, "../..").text)
    link.click()
    wait(lambda: "/objections/" in d.current_url, d)
    shot(d, "4-office-review")
    d.find_element(By.CSS_SELECTOR, "input[value=upheld]").click()
    d.find_element(By.NAME, "reply").send_keys("经核实，异议成立，撤销该扣分记录。")
    d.find_element(By.CSS_SELECTOR, "form.decide button").click()
    wait(lambda: not d.find_elements(By.CSS_SELECTOR, "form.decide"), d)
    assert "成立" in d.find_element(By.CSS_SELECTOR, "dl.record").text
    run_to_done(d, base)
    shot(d, "5-office-second-run")
    logout(d)

    # The unit's score rose.
    login(d, base, "d001")
    after = total(d)
    shot(d, "6-unit-after")
    assert after > before, f"total {before} -> {after}"
    assert key not in d.find_element(By.CSS_SELECTOR, "table.evidence").text, "record still counts"
    print(f"D001: {before:.2f} -> {after:.2f} after the upheld objection on {key}")


if __name__ == "__main__":
    main()

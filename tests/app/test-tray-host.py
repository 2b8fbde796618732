#!/usr/bin/python3
# test-tray-host.py — the tray icon in a real tray host, clicked as a user
# clicks it
#
# Debian's status-notifier-watcher and gtk-sni-tray-standalone make the
# panel; qubes-air starts in the background (as at login), with two qubes,
# one running. A left click on its icon in the host opens the window, which
# must act on nothing the user did not choose: no row selected, the details
# pane asking for a qube, Shut Down and Kill not offered. Closed and opened
# again from the icon, the same. Choosing the running qube then offers Shut
# Down. Runs under headless.sh; prints TAP; skips without the host.
#
# SPDX-License-Identifier: GPL-2.0-or-later

import importlib.util
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("e2e", os.path.join(HERE, "test-e2e.py"))
e2e = importlib.util.module_from_spec(spec)
spec.loader.exec_module(e2e)   # dogtail's settings, find(), wait_for(), agent_call()

import xinput  # noqa: E402

STEPS = ["the tray host shows the icon",
         "a left click on the icon opens the window",
         "the opened window has nothing selected and offers no Shut Down or Kill",
         "opened again from the icon, the same",
         "choosing the running qube offers Shut Down"]


def icon_position():
    """The icon, first in the host's bar at the bottom of the screen."""
    out = subprocess.run(["xdotool", "search", "--onlyvisible", "--class", "gtk-sni-tray-standalone"],
                         capture_output=True, text=True).stdout.split()
    for window in out:
        geometry = subprocess.run(["xdotool", "getwindowgeometry", "--shell", window],
                                  capture_output=True, text=True).stdout
        values = dict(line.split("=", 1) for line in geometry.split())
        if int(values.get("WIDTH", 0)) > 0 and int(values.get("HEIGHT", 0)) > 0:
            return int(values["X"]) + 12, int(values["Y"]) + int(values["HEIGHT"]) // 2
    return None


def registered():
    """The watcher has the app's item, which the host then shows."""
    out = subprocess.run(["gdbus", "call", "--session", "--dest", "org.kde.StatusNotifierWatcher",
                          "--object-path", "/StatusNotifierWatcher", "--method",
                          "org.freedesktop.DBus.Properties.Get", "org.kde.StatusNotifierWatcher",
                          "RegisteredStatusNotifierItems"], capture_output=True, text=True).stdout
    return "':" in out or "'/" in out


def window_is_calm(app):
    window = app.child(roleName="frame", recursive=False)
    details = window.findChildren(lambda n: n.name == "Select a qube to see its details.", isLambda=True)
    shutdown = e2e.find(window, "push button", "Shut Down")
    kill = e2e.find(window, "push button", "Kill")
    return bool(details) and not shutdown.sensitive and not kill.sensitive


def main():
    if not (shutil.which("status-notifier-watcher") and shutil.which("gtk-sni-tray-standalone")
            and shutil.which("xdotool")):
        print("1..0 # SKIP no tray host (scripts/setup-debian.sh installs one)")
        return 0
    print(f"1..{len(STEPS)}", flush=True)
    e2e.STEPS = STEPS

    env = dict(os.environ)
    env.pop("GTK_A11Y", None)
    env.pop("NO_AT_BRIDGE", None)
    env["G_DEBUG"] = "gc-friendly"
    for name, verb in (("tray-a", "Create"), ("tray-b", "Create")):
        e2e.agent_call(verb, name, '{"template":"host"}')
    e2e.agent_call("Start", "tray-b")

    helpers = [subprocess.Popen(["status-notifier-watcher"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    time.sleep(1)
    helpers.append(subprocess.Popen(["gtk-sni-tray-standalone", "--bottom"], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL))
    app_proc = subprocess.Popen([os.environ["AIR_APP_PROGRAM"], "--background"], env=env)
    try:
        position = e2e.wait_for(icon_position, 30)
        if not e2e.ok(bool(position) and e2e.wait_for(registered, 30), STEPS[0]):
            return 1

        # In the background the app has no window, and no place in AT-SPI.
        # A host that has just drawn the icon may not pass on the first
        # click yet: as a user would, click again when nothing opens.
        app = window = None
        for _ in range(3):
            xinput.click(*position)
            app = e2e.wait_for(lambda: e2e.tree.root.application("qubes-air"), 15)
            window = app and e2e.wait_for(lambda: app.child(roleName="frame", recursive=False), 15)
            if window:
                break
        rows = window and e2e.wait_for(lambda: e2e.find(window, "label", "tray-b"), 30)
        if not e2e.ok(bool(window and rows), STEPS[1]):
            return 1
        if not e2e.ok(bool(e2e.wait_for(lambda: window_is_calm(app), 10)), STEPS[2]):
            return 1

        e2e.click(e2e.find(window, "push button", "Close"))
        e2e.wait_for(lambda: not app.findChildren(lambda n: n.roleName == "frame", recursive=False,
                                                  isLambda=True), 10)
        xinput.click(*position)
        again = e2e.wait_for(lambda: app.child(roleName="frame", recursive=False), 30)
        if not e2e.ok(bool(again) and bool(e2e.wait_for(lambda: window_is_calm(app), 10)), STEPS[3]):
            return 1

        row = e2e.find(again, "label", "tray-b")
        x, y = row.position
        w, h = row.size
        xinput.click(x + w // 2, y + h // 2)
        shutdown = e2e.find(again, "push button", "Shut Down")
        return 0 if e2e.ok(bool(e2e.wait_for(lambda: shutdown.sensitive, 10)), STEPS[4]) else 1
    finally:
        app_proc.terminate()
        try:
            app_proc.wait(20)
        except subprocess.TimeoutExpired:
            app_proc.kill()
        for helper in helpers:
            helper.terminate()
        e2e.agent_call("Kill", "tray-b")


if __name__ == "__main__":
    sys.exit(main())

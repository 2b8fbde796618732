#!/usr/bin/python3
# test-e2e.py — qubes-air end to end through the accessibility tree
#
# As a user would: start the application on a fresh local zone, find the
# zone map's gateway, link and zone parts by name and role, click
# "New Qube", type a name, confirm, see the new row, right-click it for its
# menu, open the Run dialog, run "echo hello" and read "hello" in its output. Runs under headless.sh
# (Xvfb and a private session bus, where AT-SPI is started on demand).
# Prints TAP.
#
# SPDX-License-Identifier: GPL-2.0-or-later

import os
import subprocess
import sys
import time

# This process is the AT-SPI client, not the app under test: libatspi warns
# (dbind) when the app's tree changes under a query, and fatal warnings
# would end the test for it. (The app is started with its own, in main.)
os.environ["G_DEBUG"] = "gc-friendly"

from dogtail.config import config  # noqa: E402

config.checkForA11y = False
config.searchBackoffDuration = 0.5
config.searchCutoffCount = 40
config.defaultDelay = 0.2
config.logDebugToFile = False
config.logDebugToStdOut = False

from dogtail import tree  # noqa: E402
import pyatspi  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xinput  # noqa: E402

QUBE = "e2e-q"
STEPS = ["the window shows the local zone",
         "the map names the zone's gateway, its link and the zone, each focusable",
         "the Create dialog opens",
         "the new qube's row appears",
         "every control and cell has a name (file pane buttons, search, label colour, job state)",
         "right-clicking the row opens its menu",
         "the Run dialog opens",
         "the output reads hello"]

step = 0
# GTK 4.8 gives a plain GtkWindow the AT-SPI role "filler".
WINDOW_ROLES = ("frame", "filler", "dialog", "window")


def ok(passed, what, detail=""):
    global step
    step += 1
    print(("ok" if passed else "not ok") + f" {step} - {what}" + (f" # {detail}" if detail else ""),
          flush=True)
    return passed


def wait_for(predicate, seconds=60):
    end = time.time() + seconds
    while time.time() < end:
        try:
            value = predicate()
            if value:
                return value
        except Exception:  # the tree changes under us while the app works
            pass
        time.sleep(0.3)
    return None


def find(node, role, name, recursive=True):
    """The first descendant with @role whose accessible name is @name. GTK
    4.8 names a button with a mnemonic "_Label Label": that matches too."""
    roles = WINDOW_ROLES if role == "window" else (role,)

    def matches(n):
        return n.roleName in roles and (n.name == name or (n.name or "").endswith(" " + name))
    found = node.findChildren(matches, recursive=recursive, isLambda=True)
    if not found:
        raise LookupError(f"no {role} named {name!r}")
    return found[0]


def type_into(node, text):
    """Types into a text field with the keyboard. GTK 4.8 offers no
    EditableText, and without a window manager X gives the keyboard to the
    window under the pointer: the pointer goes over the field first (windows
    map at the origin, so window and screen coordinates agree)."""
    x, y = node.position
    w, h = node.size
    xinput.click(x + w // 2, y + h // 2)
    xinput.type_text(text)


def click(node):
    node.doActionNamed("click")


def agent_call(verb, arg, data=None):
    """Calls the zone's agent as the loopback transport would (set-up and
    cleanup), with @data on its stdin."""
    env = dict(os.environ)
    env.update({
        "QREXEC_SERVICE_FULL_NAME": f"qubesair.{verb}+{arg}",
        "QREXEC_SERVICE_ARGUMENT": arg,
        "QREXEC_REMOTE_DOMAIN": "mgmt",
        "AIR_LOOPBACK_SELF": "sys-remote-local",
        "AIR_AGENT_DIR": os.path.join(os.environ["AIR_LOOPBACK_DIR"], "sys-remote-local"),
    })
    subprocess.run([os.environ["AIR_AGENT_PROGRAM"], arg], env=env, input=(data or "").encode(),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=False)


def main():
    print(f"1..{len(STEPS)}", flush=True)
    env = dict(os.environ)
    env.pop("GTK_A11Y", None)
    env.pop("NO_AT_BRIDGE", None)
    # GTK 4.8 warns "Broken accounting of active state" on XTEST clicks
    # without a window manager: not the application's fault, not fatal here.
    env["G_DEBUG"] = "gc-friendly"
    app_proc = subprocess.Popen([os.environ["AIR_APP_PROGRAM"]], env=env)
    try:
        app = wait_for(lambda: tree.root.application("qubes-air"))
        window = app and wait_for(lambda: app.child(roleName="frame", recursive=False))
        mapped = window and wait_for(lambda: window.findChildren(
            lambda n: (n.name or "").startswith("Zone map"), isLambda=True))
        if not ok(bool(mapped), STEPS[0]):
            return 1

        # The map's drawn parts, as a screen reader finds them (role, name).
        def map_parts():
            def part(role, start):
                found = window.findChildren(
                    lambda n: n.roleName == role and (n.name or "").startswith(start), isLambda=True)
                return found[0] if found else None
            parts = [part("push button", "Gateway sys-remote-local"),
                     part("image", "Link qrexec from sys-remote-local to local: Up"),
                     part("push button", "Zone local: Up")]
            return parts if all(parts) else None
        parts = wait_for(map_parts, 30)
        focusable = parts and all(p.getState().contains(pyatspi.STATE_FOCUSABLE) for p in parts)
        if not ok(bool(parts) and bool(focusable), STEPS[1],
                  "" if parts else "parts not found"):
            return 1

        click(find(window, "push button", "New Qube"))
        dialog = wait_for(lambda: find(app, "window", "New Qube", recursive=False))
        if not ok(bool(dialog), STEPS[2]):
            return 1

        entry = find(dialog, "text", "Name")
        type_into(entry, QUBE)
        create = find(dialog, "push button", "Create")
        wait_for(lambda: create.sensitive, 10)
        click(create)
        row = wait_for(lambda: find(window, "label", QUBE))
        if not ok(bool(row), STEPS[3]):
            return 1

        # What a screen reader reads: the file pane's icon buttons, the
        # search entry, the Label column's colour, the finished job's state.
        def named(name):
            return window.findChildren(lambda n: n.name == name, isLambda=True)
        names = ["Parent folder", "Reload", "Search qubes", "Red", "Done"]
        found = wait_for(lambda: all(named(n) for n in names), 30)
        missing = [n for n in names if not named(n)]
        if not ok(bool(found), STEPS[4], f"missing {missing}" if missing else ""):
            return 1

        x, y = row.position
        w, h = row.size
        xinput.click(x + w // 2, y + h // 2, button=3)
        menu = wait_for(lambda: find(window, "menu item", "Run a Command…"), 20)
        if not ok(bool(menu), STEPS[5]):
            return 1
        xinput.press("Escape")

        run_button = find(window, "push button", "Run a Command")
        wait_for(lambda: run_button.sensitive, 30)
        click(run_button)
        run = wait_for(lambda: find(app, "window", f"Run in {QUBE}", recursive=False))
        if not ok(bool(run), STEPS[6]):
            return 1

        type_into(find(run, "text", "Command"), "echo hello")
        click(find(run, "push button", "Run"))
        output = find(run, "text", "Output")
        text = wait_for(lambda: "hello" in output.text and output.text, 60)
        return 0 if ok(bool(text) and text.strip() == "hello", STEPS[7], f"output {text!r}") else 1
    finally:
        app_proc.terminate()
        try:
            app_proc.wait(20)
        except subprocess.TimeoutExpired:
            app_proc.kill()
        agent_call("Kill", QUBE)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
# test-templates-e2e.py — the Templates page end to end, as a user drives it
#
# The real qubes-air on a fresh local zone (the agent's bubblewrap
# backend), through the accessibility tree and XTEST input: Ctrl+Shift+T
# opens Templates; Import… takes a busybox root file system tarball the
# test makes, chosen in the file chooser by typing its path; New Template…
# builds on it with a .deb the test makes with dpkg-deb (no network),
# added with Add File…; each runs as a job in the main window's job list
# that ends done, and each template ends in the page's list. Runs under
# headless.sh; prints TAP.
#
# SPDX-License-Identifier: GPL-2.0-or-later

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

STEPS = ["Ctrl+Shift+T opens the Templates page, which lists the zone's templates",
         "Import… with a tarball chosen in the file chooser runs as a job that ends done",
         "the imported template is in the page's list",
         "New Template… on it with a .deb added with Add File… runs as a job that ends done",
         "the new template is in the page's list, built on the first, with its package"]


def can_run():
    if not (shutil.which("bwrap") and shutil.which("dpkg-deb") and os.access("/bin/busybox", os.X_OK)):
        return False
    applets = subprocess.run(["/bin/busybox", "--list"], capture_output=True, text=True).stdout.split()
    return "dpkg" in applets


if not can_run():
    print("1..0 # SKIP needs bwrap, dpkg-deb and a busybox with dpkg", flush=True)
    sys.exit(0)

# dogtail's settings, ok(), wait_for(), click(), type_into() and the window
# roles are test-e2e.py's, loaded as a module as test-tray-host.py does.
HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("e2e", os.path.join(HERE, "test-e2e.py"))
e2e = importlib.util.module_from_spec(spec)
spec.loader.exec_module(e2e)

import xinput  # noqa: E402

tree = e2e.tree
ok = e2e.ok
wait_for = e2e.wait_for
click = e2e.click
type_into = e2e.type_into
WINDOW_ROLES = e2e.WINDOW_ROLES


def find_all(node, role, name, recursive=True, start=False):
    roles = WINDOW_ROLES if role == "window" else (role,)

    def matches(n):
        label = n.name or ""
        if start:
            return n.roleName in roles and label.startswith(name)
        # GTK 4.8 names a button with a mnemonic "_Label Label".
        return n.roleName in roles and (label == name or label.endswith(" " + name))
    return node.findChildren(matches, recursive=recursive, isLambda=True)


def find(node, role, name, recursive=True, start=False):
    found = find_all(node, role, name, recursive, start)
    if not found:
        raise LookupError(f"no {role} named {name!r}")
    return found[0]


def center(node):
    x, y = node.position
    w, h = node.size
    return x + w // 2, y + h // 2


def combo(*keys):
    """Modifiers held (Control_L, Shift_L) around the last key."""
    d = xinput._display
    codes = [xinput._x11.XKeysymToKeycode(d, xinput._x11.XStringToKeysym(k.encode())) for k in keys[:-1]]
    for c in codes:
        xinput._xtst.XTestFakeKeyEvent(d, c, 1, 0)
    xinput._key(keys[-1])
    for c in reversed(codes):
        xinput._xtst.XTestFakeKeyEvent(d, c, 0, 0)
    xinput._x11.XSync(d, 0)
    time.sleep(0.3)


def choose_file(app, title, path):
    """The file chooser (GTK's own without a portal): the path typed opens
    its location entry; Return chooses it."""
    chooser = wait_for(lambda: find(app, "window", title, recursive=False), 30)
    if not chooser:
        raise LookupError(f"no file chooser {title!r}")
    time.sleep(1)
    location = wait_for(lambda: find(chooser, "text", "", start=True), 10)
    xinput.move(*center(location) if location else (300, 300))
    combo("Control_L", "l")
    xinput.type_text(path)
    time.sleep(0.5)
    xinput.press("Return")
    wait_for(lambda: not find_all(app, "window", title, recursive=False), 20)


def job_done(window, title):
    """The job row titled @title, once its state reads Done."""
    def done():
        rows = find_all(window, "label", title)
        if not rows:
            return None
        return find_all(rows[0].parent, "label", "Done", start=False) or \
            [n for n in rows[0].parent.findChildren(lambda n: "done" in (n.name or ""), isLambda=True)]
    return wait_for(done, 120)


def tell_jobs(window):
    """What the job list says, for a failure's log."""
    for n in window.findChildren(lambda n: n.roleName == "label" and " · " in (n.name or ""), isLambda=True):
        for line in n.parent.findChildren(lambda m: m.roleName == "label" and m.name, isLambda=True):
            print("# job:", line.name, file=sys.stderr)


def make_inputs(work):
    root = os.path.join(work, "rootfs")
    for d in ("bin", "etc", "var/lib/dpkg/info", "usr/share"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    shutil.copy("/bin/busybox", os.path.join(root, "bin", "busybox"))
    for applet in ("sh", "cat", "ls", "dpkg", "mkdir", "rm", "echo", "sleep", "test"):
        os.symlink("busybox", os.path.join(root, "bin", applet))
    open(os.path.join(root, "var/lib/dpkg/status"), "w").close()
    tarball = os.path.join(work, "base.tar.gz")
    subprocess.run(["tar", "-C", root, "-czf", tarball, "."], check=True)

    pkg = os.path.join(work, "pkg")
    os.makedirs(os.path.join(pkg, "DEBIAN"))
    os.makedirs(os.path.join(pkg, "usr/share/air-hello"))
    with open(os.path.join(pkg, "DEBIAN/control"), "w") as f:
        f.write("Package: air-hello\nVersion: 1.0\nArchitecture: all\n"
                "Maintainer: Test <test@example.org>\nDescription: test package\n")
    with open(os.path.join(pkg, "usr/share/air-hello/content"), "w") as f:
        f.write("hello from the package\n")
    deb = os.path.join(work, "air-hello_1.0_all.deb")
    subprocess.run(["dpkg-deb", "--build", pkg, deb], check=True, stdout=subprocess.DEVNULL)
    return tarball, deb


def main():
    print(f"1..{len(STEPS)}", flush=True)
    # The sandbox reads the templates' files as another user: let it in.
    for d in (os.path.dirname(os.environ["HOME"]), os.environ["HOME"], os.environ["XDG_DATA_HOME"]):
        os.chmod(d, 0o755)
    work = tempfile.mkdtemp(prefix="templates-e2e-", dir=os.path.dirname(os.environ["HOME"]))
    os.chmod(work, 0o755)
    tarball, deb = make_inputs(work)

    env = dict(os.environ)
    env.pop("GTK_A11Y", None)
    env.pop("NO_AT_BRIDGE", None)
    # GTK 4.8 warns "Broken accounting of active state" on XTEST clicks
    # without a window manager (test-e2e.py).
    env["G_DEBUG"] = "gc-friendly"
    app_proc = subprocess.Popen([os.environ["AIR_APP_PROGRAM"]], env=env)
    try:
        app = wait_for(lambda: tree.root.application("qubes-air"))
        window = app and wait_for(lambda: app.child(roleName="frame", recursive=False))
        wait_for(lambda: find(window, "push button", "Zone local: Up", start=True), 60)
        xinput.move(*center(window))
        combo("Control_L", "Shift_L", "t")
        page = wait_for(lambda: find(app, "window", "Templates", recursive=False), 30)
        host = page and wait_for(lambda: find(page, "label", "host"), 60)
        if not ok(bool(host), STEPS[0]):
            return 1

        click(find(page, "push button", "Import…"))
        dialog = wait_for(lambda: find(app, "window", "Import Template", recursive=False), 20)
        click(find(dialog, "push button", "Choose…"))
        choose_file(app, "Choose a Root File System Tarball", tarball)
        wait_for(lambda: find(dialog, "label", "base.tar.gz"), 20)
        accept = find(dialog, "push button", "Import")
        wait_for(lambda: accept.sensitive, 10)
        click(accept)
        done = job_done(window, "Import template base into local")
        if not done:
            tell_jobs(window)
        if not ok(bool(done), STEPS[1]):
            return 1
        listed = wait_for(lambda: find(page, "label", "base"), 60)
        if not ok(bool(listed), STEPS[2]):
            return 1

        click(find(page, "push button", "New Template"))
        dialog = wait_for(lambda: find(app, "window", "New Template", recursive=False), 20)
        # A field is named by its mnemonic label ("_Name").
        type_into(find(dialog, "text", "Name"), "dev")
        # "Build on" offers the zone's own template before the host's system.
        base = wait_for(lambda: find(find(dialog, "combo box", "Build on"), "label", "base"), 10)
        if not base:
            raise LookupError("“Build on” does not show base")
        click(find(dialog, "push button", "Add File…"))
        choose_file(app, "Choose Package Files", deb)
        wait_for(lambda: find(dialog, "label", "air-hello_1.0_all.deb"), 20)
        accept = find(dialog, "push button", "Create")
        wait_for(lambda: accept.sensitive, 10)
        click(accept)
        done = job_done(window, "Create template dev in local")
        if not done:
            tell_jobs(window)
        if not ok(bool(done), STEPS[3]):
            return 1
        built = wait_for(lambda: find(page, "label", "dev"), 60)
        details = wait_for(lambda: page.findChildren(
            lambda n: n.roleName == "label" and "built on base" in (n.name or ""), isLambda=True), 30)
        package = wait_for(lambda: find(page, "label", "Packages: air-hello_1.0_all.deb"), 30)
        return 0 if ok(bool(built) and bool(details) and bool(package), STEPS[4]) else 1
    except Exception as error:  # a part not found, or the tree changed under us
        traceback.print_exc()
        ok(False, STEPS[e2e.step] if e2e.step < len(STEPS) else "the test", str(error))
        return 1
    finally:
        app_proc.terminate()
        try:
            app_proc.wait(20)
        except subprocess.TimeoutExpired:
            app_proc.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

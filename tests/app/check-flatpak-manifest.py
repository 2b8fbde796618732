#!/usr/bin/python3
# check-flatpak-manifest.py MANIFEST — the Flatpak manifest parses, names
# the application ID, builds every module it lists, and the last module is
# this meson project. Prints TAP.
#
# SPDX-License-Identifier: GPL-2.0-or-later

import json
import sys

APP_ID = "io.github.qubesair.QubesAir"
MODULES = {"libsodium", "qubes-air"}


def main(path):
    checks = []
    with open(path, encoding="utf-8") as f:
        manifest = json.load(f)
    checks.append(("it names the app ID", manifest.get("id", manifest.get("app-id")) == APP_ID))
    checks.append(("it runs qubes-air", manifest.get("command") == "qubes-air"))
    checks.append(("it builds on the GNOME runtime", manifest.get("runtime") == "org.gnome.Platform"))
    modules = manifest.get("modules", [])
    names = [m.get("name") for m in modules if isinstance(m, dict)]
    checks.append(("every module is named", len(names) == len(modules) and all(names)))
    checks.append((f"it lists the modules {sorted(MODULES)}", MODULES <= set(names)))
    checks.append(("every module has a build system and sources",
                   all(m.get("buildsystem") and m.get("sources") for m in modules)))
    checks.append(("qubes-air is built last, with meson",
                   bool(modules) and modules[-1].get("name") == "qubes-air"
                   and modules[-1].get("buildsystem") == "meson"))
    finish = manifest.get("finish-args", [])
    checks.append(("no home or host file access", not any(a.startswith("--filesystem=host")
                                                            or a.startswith("--filesystem=home")
                                                            for a in finish)))
    checks.append(("no network", "--share=network" not in finish))
    print(f"1..{len(checks)}")
    failed = 0
    for i, (what, passed) in enumerate(checks, 1):
        print(("ok" if passed else "not ok") + f" {i} - {what}")
        failed += not passed
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

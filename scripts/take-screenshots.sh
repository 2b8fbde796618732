#!/bin/sh
# take-screenshots.sh [BUILDDIR] [OUTDIR] — retakes the screenshots of the
# AppStream metainfo (data/screenshots/) the way a new user would see the
# application: the real qubes-air against the real qubes-air-agent over the
# loopback transport, with three zones (local, home-proxmox, gpu-rental;
# each a gateway state directory of its own), a few qubes in different
# states and labels made with qair, in a private X server (Xvfb), D-Bus
# session and home. Keys are sent through XTEST (tests/app/xinput.py);
# windows are captured with ImageMagick's import; zone-map.png is the main
# window's map, cut out.
#
# Needs: xvfb, x11-utils, imagemagick, dbus, python3 (all in setup-debian.sh).
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
out=${2:-$top/data/screenshots}
mkdir -p "$out"
out=$(cd "$out" && pwd)

[ -x "$build/src/app/qubes-air" ] || { echo "build $build first (ninja -C $build)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/air-screenshots.XXXXXX")
cleanup () {
  [ -n "${app_pid:-}" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "${xvfb_pid:-}" ] && kill "$xvfb_pid" 2>/dev/null || true
  # The qubes it started end with it, not after their state is gone: their
  # supervisors are the agent processes whose state is under $tmp.
  for pid in $(pgrep -f -- "--supervise" || true); do
    if grep -qzF "$tmp" "/proc/$pid/environ" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data"
export XDG_CACHE_HOME="$tmp/cache" XDG_STATE_HOME="$tmp/state" XDG_RUNTIME_DIR="$tmp/runtime"
mkdir -p "$HOME" "$XDG_CONFIG_HOME/qubes-air" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
export AIR_TRANSPORT=loopback
export AIR_LOOPBACK_DIR="$tmp/loopback"
export AIR_ZONES_FILE="$XDG_CONFIG_HOME/qubes-air/zones.json"
export AIR_AGENT_PROGRAM="$build/src/agent/qubes-air-agent"
export GSETTINGS_SCHEMA_DIR="$build/data"
# A laptop-sized window (1360×800) from a settings file of the run's own.
export GSETTINGS_BACKEND=keyfile
mkdir -p "$XDG_CONFIG_HOME/glib-2.0/settings"
printf '[io/github/qubesair/QubesAir]\nwindow-width=1360\nwindow-height=800\n' \
  > "$XDG_CONFIG_HOME/glib-2.0/settings/keyfile"
export GSK_RENDERER=cairo
export NO_AT_BRIDGE=1 GTK_A11Y=none
export LANG=C.UTF-8 LC_ALL=C.UTF-8

cat > "$AIR_ZONES_FILE" <<'JSON'
{"version":1,"zones":[
 {"name":"local","gateway":"sys-remote-local","driver":"local"},
 {"name":"home-proxmox","gateway":"sys-remote-home-proxmox","driver":"local"},
 {"name":"gpu-rental","gateway":"sys-remote-gpu-rental","driver":"local"}
]}
JSON

# Templates of the local driver: a root file system each; this machine's
# own stands in for them.
for gateway in sys-remote-local sys-remote-home-proxmox sys-remote-gpu-rental; do
  mkdir -p "$AIR_LOOPBACK_DIR/$gateway/templates"
  for template in debian-12 fedora-40; do
    ln -s / "$AIR_LOOPBACK_DIR/$gateway/templates/$template"
  done
done

qair="$build/src/cli/qair"
make_qube () {   # ZONE NAME TEMPLATE LABEL MEMORY VCPUS [start]
  "$qair" create "$2" --zone "$1" --template "$3" --label "$4" --memory "$5" --vcpus "$6" >/dev/null
  if [ "${7:-}" = start ]; then "$qair" start "$2" >/dev/null; fi
}
make_qube local        work          debian-12 blue   2048 2 start
make_qube local        personal      fedora-40 yellow 1536 2 start
make_qube local        untrusted     debian-12 red    1024 1
make_qube local        vault-notes   debian-12 black   512 1
make_qube home-proxmox media-server  debian-12 green  4096 4 start
make_qube home-proxmox dev-fedora    fedora-40 orange 3072 4 start
make_qube home-proxmox backup        debian-12 gray   1024 1
make_qube gpu-rental   llm-train     debian-12 purple 16384 8 start
make_qube gpu-rental   render-farm   fedora-40 purple 8192 8
make_qube gpu-rental   notebook      debian-12 blue   4096 2 start

# A private X server; its number is the first free one from 90.
display=90
while [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1400x860x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
export DISPLAY=":$display"
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done

# Key presses with modifiers ("ctrl+n"), on top of the tests' XTEST helper.
cat > "$tmp/keys.py" <<'PY'
import sys, time
import xinput

def combo(spec):
    *mods, key = spec.split("+")
    names = {"ctrl": "Control_L", "shift": "Shift_L", "alt": "Alt_L"}
    d = xinput._display
    codes = [xinput._x11.XKeysymToKeycode(d, xinput._x11.XStringToKeysym(names[m].encode())) for m in mods]
    for c in codes:
        xinput._xtst.XTestFakeKeyEvent(d, c, 1, 0)
    xinput._key(key)
    for c in reversed(codes):
        xinput._xtst.XTestFakeKeyEvent(d, c, 0, 0)
    xinput._x11.XSync(d, 0)
    time.sleep(0.3)
PY
input () { PYTHONPATH="$top/tests/app:$tmp" python3 -c "import xinput, keys, time; $1"; }
window_id () {   # TITLE (its start)
  xwininfo -root -tree | awk -v t="\"$1" 'index($0, t) { print $1; exit }'
}
wait_window () {   # TITLE
  for _ in $(seq 100); do
    id=$(window_id "$1")
    [ -n "$id" ] && { echo "$id"; return 0; }
    sleep 0.1
  done
  echo "no window “$1”" >&2
  return 1
}
shoot () {   # WINDOW-ID FILE
  sleep 1.5   # let the frame clock draw the last change
  import -window "$1" "$tmp/shot.png"
  # No alpha channel and no time stamps: same pixels, same file.
  convert "$tmp/shot.png" -alpha off -strip "$out/$2"
  echo "wrote $out/$2"
}

dbus-run-session -- sh -c '
  "$0/src/app/qubes-air" &
  echo $! > "$1/app.pid"
  wait' "$build" "$tmp" &
for _ in $(seq 50); do [ -s "$tmp/app.pid" ] && break; sleep 0.1; done
app_pid=$(cat "$tmp/app.pid")

main=$(wait_window "Qubes Air")
sleep 4   # every zone answers List and ZoneInfo
# Focus follows the pointer without a window manager.
input "xinput.move(600, 500)"
# The qube list, then its fourth qube selected (media-server, running).
input "keys.combo('ctrl+l'); xinput.press('Home'); time.sleep(0.2); [xinput.press('Down') for _ in range(3)]"
shoot "$main" main-window.png


input "keys.combo('ctrl+n')"
create=$(wait_window "New Qube")
input "xinput.type_text('research')"
shoot "$create" create-dialog.png
input "xinput.press('Escape')"
sleep 0.5

# Back to the main window: without a window manager nothing gives it the
# keyboard again when the dialog goes.
input "xinput.click(600, 26)"
input "keys.combo('ctrl+r')"
run=$(wait_window "Run in")
input "xinput.type_text('head -4 /etc/os-release\\n')"
sleep 2
shoot "$run" run-dialog.png
input "xinput.press('Escape')"
sleep 0.5

# The zone map alone, a zone's link chosen: its details on the map's last
# line (the third card's link row, where the layout of a 1360-px window
# puts it).
input "xinput.click(1100, 103)"
sleep 0.5
shoot "$main" main-window-map.png
convert "$out/main-window-map.png" -crop 1360x262+0+50 +repage -strip "$out/zone-map.png"
rm -f "$out/main-window-map.png"
echo "wrote $out/zone-map.png"

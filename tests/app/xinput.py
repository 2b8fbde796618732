# xinput.py — keyboard and pointer input at the X server (XTEST), as a
# person's would arrive; for test-e2e.py. The AT-SPI registry's own event
# synthesis needs a session with a window manager, which Xvfb lacks.
#
# SPDX-License-Identifier: GPL-2.0-or-later

import ctypes
import time

_x11 = ctypes.CDLL("libX11.so.6")
_xtst = ctypes.CDLL("libXtst.so.6")
_x11.XOpenDisplay.restype = ctypes.c_void_p
_x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
_x11.XStringToKeysym.restype = ctypes.c_ulong
_x11.XStringToKeysym.argtypes = [ctypes.c_char_p]
_x11.XKeysymToKeycode.restype = ctypes.c_ubyte
_x11.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
_x11.XFlush.argtypes = [ctypes.c_void_p]
_x11.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
_xtst.XTestFakeKeyEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong]
_xtst.XTestFakeMotionEvent.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_ulong]
_xtst.XTestFakeButtonEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong]

_display = _x11.XOpenDisplay(None)
if not _display:
    raise RuntimeError("cannot open the X display")

_NAMES = {" ": "space", "-": "minus", ".": "period", "_": "underscore", "/": "slash", "\n": "Return"}
_SHIFTED = {"_"}


def _key(keysym_name, shift=False):
    code = _x11.XKeysymToKeycode(_display, _x11.XStringToKeysym(keysym_name.encode()))
    shift_code = _x11.XKeysymToKeycode(_display, _x11.XStringToKeysym(b"Shift_L"))
    if shift:
        _xtst.XTestFakeKeyEvent(_display, shift_code, 1, 0)
    _xtst.XTestFakeKeyEvent(_display, code, 1, 0)
    _xtst.XTestFakeKeyEvent(_display, code, 0, 0)
    if shift:
        _xtst.XTestFakeKeyEvent(_display, shift_code, 0, 0)
    _x11.XSync(_display, 0)
    time.sleep(0.03)


def type_text(text):
    for ch in text:
        _key(_NAMES.get(ch, ch), shift=ch in _SHIFTED or ch.isupper())


def press(keysym_name):
    _key(keysym_name)


def move(x, y):
    _xtst.XTestFakeMotionEvent(_display, -1, x, y, 0)
    _x11.XSync(_display, 0)
    time.sleep(0.05)


def click(x, y, button=1):
    move(x, y)
    _xtst.XTestFakeButtonEvent(_display, button, 1, 0)
    _xtst.XTestFakeButtonEvent(_display, button, 0, 0)
    _x11.XSync(_display, 0)
    time.sleep(0.05)

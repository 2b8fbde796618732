#!/usr/bin/env python3
# age-tty.py PASSPHRASE CMD [ARG...] — runs CMD on a pseudo-terminal and
# answers each passphrase prompt with PASSPHRASE: Debian's `age` reads a
# passphrase only from the terminal. The exit status is CMD's.
# SPDX-License-Identifier: GPL-2.0-or-later
import os
import pty
import sys

passphrase = sys.argv[1].encode() + b"\n"
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
seen = b""
while True:
    try:
        data = os.read(fd, 1024)
    except OSError:
        break
    if not data:
        break
    seen += data
    sys.stderr.buffer.write(data)
    while b"passphrase" in seen.lower():
        os.write(fd, passphrase)
        seen = seen[seen.lower().index(b"passphrase") + 10:]
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))

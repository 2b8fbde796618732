#!/usr/bin/env python3
# pve-test-server.py — a stand-in for the subset of the Proxmox VE API
# (/api2/json) that Qubes Air's proxmox driver uses, for tests: no Proxmox
# VE can run here. It follows the API viewer's paths, parameters and
# answers ({"data": …}), over HTTPS with a certificate the test makes,
# checks "Authorization: PVEAPIToken=USER@REALM!TOKENID=SECRET" as
# Proxmox does (401 otherwise), and answers clone/start/shutdown/stop/
# delete with task UPIDs whose status goes from "running" to "stopped"
# with an exit status; DELETE /nodes/{node}/tasks/{upid} stops a task
# ("interrupted by signal"). A clone's VM exists, locked, while the clone
# runs; a stopped clone leaves it (unlocked) for the caller to destroy,
# a failed one is removed. Its "VMs" run the guest agent's exec for real: the
# command runs as a child process in the VM's own directory, which is its
# user's HOME (and holds its TMPDIR). agent/file-write and agent/file-read
# work on real files, but only inside that directory (a VM sees only its
# own disk): file-write takes at most 61,440 characters of content (400,
# "Parameter verification failed.", beyond), base64 unless encode=1 (the
# API's default) asks the server to encode it, and replaces the file;
# file-read returns at most 16 MiB and "truncated": 1 when there was more.
# Agent calls to a stopped VM fail as Proxmox's do (500).
#
# It can fail the ways the real one does, chosen with --fail:
#   auth        every call 401
#   error500    every call 500 with Proxmox's error body
#   task-fail   clones end with exitstatus "clone failed: out of space"
#   slow-clone  clone tasks run for 3 s (PVE_TEST_CLONE_SECONDS, for a
#               screenshot of the app's job while it runs)
#               (every clone's log, GET /nodes/{node}/tasks/{upid}/log,
#               reports "transferred … (NN.NN%)" as the real one's does)
#   hostile     VM names with escapes, markup and 300 characters, and two
#               VMs of one name; task logs with escapes, markup, "(999%)"
#               and 5,000-character lines
#   oversized   /cluster/resources answers 20 MiB
#   agent-dies  the guest agent stops answering after two file-writes:
#               every agent call then fails with 500 "QEMU guest agent is
#               not running"
#
# Usage: pve-test-server.py --cert C --key K (--token T | --token-file F)
#        --port-file F [--port P] [--node N] [--vms N] [--fail MODE] --state DIR
# Listens on 127.0.0.1 only, on --port (a restart with another certificate
# keeps its address) or a free port, written to --port-file. --token-file
# keeps the token out of the process list, which a test checks.
#
# SPDX-License-Identifier: GPL-2.0-or-later
import argparse
import base64
import json
import os
import shutil
import ssl
import subprocess
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = None
lock = threading.Lock()
vms = {}      # vmid -> dict
tasks = {}    # upid -> dict
execs = {}    # (vmid, pid) -> dict
next_pid = [1000]
resource_reads = [0]  # GET /cluster/resources answered
stopped = []  # tasks stopped by DELETE /nodes/{node}/tasks/{upid}
file_writes = [0]
MAX_WRITE = 61440
MAX_READ = 16 * 1024 * 1024


def upid(node, kind, vmid):
    now = int(time.time())
    return "UPID:%s:%08X:%08X:%08X:%s:%d:root@pam:" % (node, os.getpid(), len(tasks) + 1, now, kind, vmid)


def new_task(kind, vmid, seconds=0.3, fail=None, then=None, failed=None):
    u = upid(args.node, kind, vmid)
    tasks[u] = {"start": time.time(), "seconds": seconds, "fail": fail, "then": then, "done": False,
                "type": kind, "id": str(vmid), "failed": failed}
    return u


def stop_task(u):
    t = tasks[u]
    if t["done"] or time.time() - t["start"] >= t["seconds"]:
        return
    t["done"] = True
    t["fail"] = "interrupted by signal"
    if "made" in t:
        vms.get(t["made"], {}).pop("lock", None)
    t["seconds"] = time.time() - t["start"]
    stopped.append({"type": t["type"], "id": t["id"]})


def task_status(u):
    t = tasks[u]
    running = time.time() - t["start"] < t["seconds"]
    if not running and not t["done"]:
        t["done"] = True
        if t["fail"] is None and t["then"]:
            t["then"]()
        elif t["fail"] is not None and t["failed"]:
            t["failed"]()
    out = {"upid": u, "node": args.node, "type": t["type"], "id": t["id"],
           "status": "running" if running else "stopped", "starttime": int(t["start"])}
    if not running:
        out["exitstatus"] = t["fail"] or "OK"
    return out


def task_log(u):
    # GET /nodes/{node}/tasks/{upid}/log: the lines so far, [{"n":N,"t":T}]
    t = tasks[u]
    done = t["done"] or time.time() - t["start"] >= t["seconds"]
    lines = []
    if t["type"] == "qmclone":
        lines.append("create full clone of drive scsi0 (local-lvm:vm-%s-disk-0)" % t["id"])
        if args.fail == "hostile":
            lines += ["\x1b[2J\x1b]0;pwned\x07<b>clone</b> (999%)", "x" * 5000 + " (50.00%)"]
        share = 1.0 if done else (time.time() - t["start"]) / t["seconds"]
        for k in range(1, int(share * 8) + 1):
            lines.append("transferred %.1f GiB of 4.0 GiB (%.2f%%)" % (k * 0.5, k * 12.5))
    if done:
        lines.append("TASK OK" if not t["fail"] else "TASK ERROR: %s" % t["fail"])
    return [{"n": i + 1, "t": text} for i, text in enumerate(lines)] or [{"n": 1, "t": "no content"}]


def vm_dir(vmid):
    d = os.path.join(args.state, str(vmid))
    os.makedirs(d, exist_ok=True)
    return d


def guest_path(vmid, path):
    # the VM's disk is its directory: an absolute guest path inside it
    root = os.path.realpath(vm_dir(vmid))
    full = os.path.realpath(path) if os.path.isabs(path) else None
    if full is None or not (full == root or full.startswith(root + os.sep)):
        return None
    return full


def add_vm(vmid, name, template=False, status="stopped", tags="qubes-air"):
    vms[vmid] = {"vmid": vmid, "name": name, "template": 1 if template else 0, "status": status,
                 "maxmem": 1024 * 1024 * 1024, "maxcpu": 1, "tags": tags, "node": args.node,
                 "pool": args.pool, "uptime": 0, "started": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        if os.environ.get("PVE_TEST_VERBOSE"):
            super().log_message(fmt, *a)

    def answer(self, code, data=None, errors=None, message=None, raw=None):
        if raw is None:
            body = {"data": data}
            if errors:
                body["errors"] = errors
            raw = json.dumps(body).encode()
        self.send_response(code, message)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def params(self):
        q = urllib.parse.urlparse(self.path)
        p = {k: v[-1] for k, v in urllib.parse.parse_qs(q.query).items()}
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            body = self.rfile.read(n).decode()
            if (self.headers.get("Content-Type") or "").startswith("application/json"):
                p.update(json.loads(body))
            else:
                for k, v in urllib.parse.parse_qs(body, keep_blank_values=True).items():
                    p[k] = v if len(v) > 1 else v[-1]
        return q.path, p

    def authorized(self):
        want = "PVEAPIToken=" + args.token
        return self.headers.get("Authorization") == want

    def route(self, method):
        path, p = self.params()
        if args.fail == "auth" or not self.authorized():
            return self.answer(401, None, message="authentication failure")
        if args.fail == "error500":
            return self.answer(500, None, message="internal error: cfs lock 'storage' error: got lock timeout")
        if not path.startswith("/api2/json/"):
            return self.answer(404, None, message="no such path")
        parts = path[len("/api2/json/"):].strip("/").split("/")
        with lock:
            return self.dispatch(method, parts, p)

    def dispatch(self, method, parts, p):
        node = args.node
        if parts == ["version"] and method == "GET":
            return self.answer(200, {"version": "8.2.4", "release": "8.2", "repoid": "test"})
        if parts == ["cluster", "resources"] and method == "GET":
            # how often the zone is read, for the test of Events' polling
            resource_reads[0] += 1
            with open(os.path.join(args.state, "resource-reads"), "w") as f:
                f.write("%d\n" % resource_reads[0])
            if args.fail == "oversized":
                filler = [{"vmid": 100000 + i, "name": "x" * 200, "type": "qemu", "status": "running",
                           "node": node} for i in range(100000)]
                return self.answer(200, filler)
            out = []
            for v in vms.values():
                if p.get("type") not in (None, "vm"):
                    continue
                r = {"id": "qemu/%d" % v["vmid"], "type": "qemu", "vmid": v["vmid"], "name": v["name"],
                     "node": v["node"], "status": v["status"], "template": v["template"],
                     "maxmem": v["maxmem"], "maxcpu": v["maxcpu"], "tags": v["tags"],
                     "uptime": int(time.time() - v["started"]) if v["status"] == "running" else 0}
                if v["pool"]:
                    r["pool"] = v["pool"]
                out.append(r)
            return self.answer(200, out)
        if parts == ["cluster", "nextid"] and method == "GET":
            return self.answer(200, str(max([99] + list(vms)) + 1))
        if len(parts) == 4 and parts[0] == "nodes" and parts[2] == "tasks" and method == "DELETE":
            u = urllib.parse.unquote(parts[3])
            if u not in tasks:
                return self.answer(500, None, message="no such task")
            stop_task(u)
            self.save_stopped()
            return self.answer(200, None)
        if len(parts) == 5 and parts[0] == "nodes" and parts[2] == "tasks" and parts[4] == "log" and method == "GET":
            u = urllib.parse.unquote(parts[3])
            if u not in tasks:
                return self.answer(500, None, message="no such task")
            start, limit = int(p.get("start", 0)), int(p.get("limit", 50))
            lines = task_log(u)
            return self.answer(200, lines[start:start + limit] if lines[0]["t"] != "no content" or start == 0 else [])
        if len(parts) >= 4 and parts[0] == "nodes" and parts[2] == "tasks" and parts[-1] == "status":
            u = urllib.parse.unquote(parts[3])
            if u not in tasks:
                return self.answer(500, None, message="no such task")
            return self.answer(200, task_status(u))
        if len(parts) >= 4 and parts[0] == "nodes" and parts[2] == "qemu":
            if parts[1] != node:
                return self.answer(500, None, message="hostname lookup '%s' failed" % parts[1])
            try:
                vmid = int(parts[3])
            except ValueError:
                return self.answer(400, None, errors={"vmid": "type check ('integer') failed"})
            if vmid not in vms:
                return self.answer(500, None, message="Configuration file 'nodes/%s/qemu-server/%d.conf' does not exist" % (node, vmid))
            rest = parts[4:]
            v = vms[vmid]
            if rest == [] and method == "DELETE":
                if v.get("lock"):
                    return self.answer(500, None, message="VM is locked (%s)" % v["lock"])
                if v["status"] == "running":
                    return self.answer(500, None, message="VM %d is running - destroy failed" % vmid)
                def gone():
                    vms.pop(vmid, None)
                    shutil.rmtree(os.path.join(args.state, str(vmid)), ignore_errors=True)
                return self.answer(200, new_task("qmdestroy", vmid, then=gone))
            if rest == ["clone"] and method == "POST":
                newid = int(p.get("newid", 0))
                if newid < 100 or newid in vms:
                    return self.answer(400, None, errors={"newid": "VM %d already exists" % newid})
                name = p.get("name", "copy")
                seconds = float(os.environ.get("PVE_TEST_CLONE_SECONDS", 3)) if args.fail == "slow-clone" else 0.3
                fail = "clone failed: out of space" if args.fail == "task-fail" else None
                # the new VM's config exists, locked, while the clone runs
                add_vm(newid, name, status="stopped", tags=v["tags"])
                vms[newid]["lock"] = "clone"
                def made():
                    vms[newid].pop("lock", None)
                def failed():
                    vms.pop(newid, None)
                u = new_task("qmclone", vmid, seconds, fail, made, failed)
                tasks[u]["made"] = newid
                return self.answer(200, u)
            if rest == ["config"] and method in ("POST", "PUT"):
                if "memory" in p:
                    v["maxmem"] = int(p["memory"]) * 1024 * 1024
                if "cores" in p:
                    v["maxcpu"] = int(p["cores"])
                if "tags" in p:
                    v["tags"] = p["tags"]
                return self.answer(200, None)
            if rest[:1] == ["status"] and len(rest) == 2 and method == "POST":
                action = rest[1]
                if action == "start":
                    def up():
                        v["status"] = "running"
                        v["started"] = time.time()
                    return self.answer(200, new_task("qmstart", vmid, then=up))
                if action in ("shutdown", "stop"):
                    def down():
                        v["status"] = "stopped"
                    return self.answer(200, new_task("qm" + action, vmid, then=down))
                return self.answer(501, None, message="Method 'POST /nodes/%s/qemu/%d/status/%s' not implemented" % (node, vmid, action))
            if rest[:1] == ["agent"]:
                if v["status"] != "running":
                    return self.answer(500, None, message="VM %d is not running" % vmid)
                if args.fail == "agent-dies" and file_writes[0] >= 2:
                    return self.answer(500, None, message="QEMU guest agent is not running")
            if rest == ["agent", "file-write"] and method == "POST":
                content = p.get("content")
                if "file" not in p or content is None:
                    return self.answer(400, None, message="Parameter verification failed.",
                                       errors={"file" if "file" not in p else "content":
                                               "property is missing and it is not optional"})
                if len(content) > MAX_WRITE:
                    return self.answer(400, None, message="Parameter verification failed.",
                                       errors={"content": "value may not be more than %d characters" % MAX_WRITE})
                if str(p.get("encode", "1")) in ("1", "true"):
                    data = content.encode()
                else:
                    try:
                        data = base64.b64decode(content, validate=True)
                    except ValueError:
                        return self.answer(500, None, message="Agent error: Invalid base64 data")
                full = guest_path(vmid, p["file"])
                if full is None:
                    return self.answer(500, None, message="Agent error: failed to open file '%s': Permission denied" % p["file"])
                try:
                    with open(full, "wb") as f:
                        f.write(data)
                except OSError as e:
                    return self.answer(500, None, message="Agent error: failed to open file '%s': %s" % (p["file"], e.strerror))
                file_writes[0] += 1
                return self.answer(200, None)
            if rest == ["agent", "file-read"] and method == "GET":
                full = guest_path(vmid, p.get("file", ""))
                try:
                    if full is None:
                        raise PermissionError(13, "Permission denied")
                    with open(full, "rb") as f:
                        data = f.read(MAX_READ + 1)
                except OSError as e:
                    return self.answer(500, None, message="Agent error: failed to open file '%s': %s" % (p.get("file"), e.strerror))
                # Proxmox puts the decoded bytes in the JSON string
                out = {"content": data[:MAX_READ].decode("latin-1")}
                if len(data) > MAX_READ:
                    out["truncated"] = 1
                return self.answer(200, out)
            if rest == ["agent", "exec"] and method == "POST":
                command = p.get("command")
                if isinstance(command, str):
                    command = [command]
                if not command:
                    return self.answer(400, None, errors={"command": "property is missing and it is not optional"})
                pid = next_pid[0]
                next_pid[0] += 1
                data = p.get("input-data", "")
                tmp = os.path.join(vm_dir(vmid), "tmp")
                os.makedirs(tmp, exist_ok=True)
                proc = subprocess.Popen(command, cwd=vm_dir(vmid), stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        env={"PATH": "/usr/bin:/bin", "HOME": vm_dir(vmid), "TMPDIR": tmp})
                e = {"proc": proc, "out": b"", "err": b""}
                def run():
                    e["out"], e["err"] = proc.communicate(data.encode())
                threading.Thread(target=run, daemon=True).start()
                execs[(vmid, pid)] = e
                return self.answer(200, {"pid": pid})
            if rest == ["agent", "exec-status"] and method == "GET":
                e = execs.get((vmid, int(p.get("pid", -1))))
                if e is None:
                    return self.answer(500, None, message="Agent error: no such process")
                code = e["proc"].poll()
                if code is None:
                    return self.answer(200, {"exited": 0})
                time.sleep(0.01)
                return self.answer(200, {"exited": 1, "exitcode": code,
                                         "out-data": e["out"].decode(errors="replace"),
                                         "err-data": e["err"].decode(errors="replace")})
        return self.answer(501, None, message="Method '%s /%s' not implemented" % (method, "/".join(parts)))

    def save_stopped(self):
        # what was stopped, for the test to check
        with open(os.path.join(args.state, "stopped-tasks.json"), "w") as f:
            json.dump(stopped, f)

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_PUT(self):
        self.route("PUT")

    def do_DELETE(self):
        self.route("DELETE")


def main():
    global args
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--token")
    ap.add_argument("--token-file")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--node", default="pve1")
    ap.add_argument("--pool", default="")
    ap.add_argument("--vms", type=int, default=0)
    ap.add_argument("--fail", default="")
    ap.add_argument("--state", required=True)
    args = ap.parse_args()
    if args.token_file:
        with open(args.token_file) as f:
            args.token = f.read().strip()
    if not args.token:
        ap.error("give --token or --token-file")

    os.makedirs(args.state, exist_ok=True)
    add_vm(9000, "debian-12", template=True)
    for i in range(args.vms):
        add_vm(200 + i, "q%d" % i, status="running" if i % 2 else "stopped")
    if args.fail == "hostile":
        add_vm(666, "\x1b[31mevil\x1b]0;owned\x07<b>bold</b>" + "y" * 300, status="running")
        # two VMs of one name (Proxmox allows it): neither is a qube
        add_vm(667, "twin", status="running")
        add_vm(668, "twin", status="stopped")

    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    # the test holds our stdin: when it ends (or dies), so do we
    def watch_stdin():
        while os.read(0, 4096):
            pass
        os._exit(0)
    threading.Thread(target=watch_stdin, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()

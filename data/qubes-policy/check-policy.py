#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks Qubes Air's qrexec policy (v5 format), TAP output.

- every line is a comment, a directive or a rule with the v5 fields
  (SERVICE ARGUMENT SOURCE TARGET ACTION [PARAM=VALUE ...]);
- a gateway (sys-remote-*, @tag:qubes-air-gateway) is only ever named
  with qubesair.CredentialGet, qubesair.SshAgent and
  qubesair.CredentialDiskKey, and allowed only with
  its own zone as the argument;
- evaluated like qrexec does (first match wins, no match is deny) on a
  small Qubes system, the policy grants exactly what the design says;
- the checker itself rejects broken lines (so it can fail).

Usage: check-policy.py POLICY_FILE
"""

import re
import sys
from pathlib import Path

NAME = r"[A-Za-z][A-Za-z0-9_.-]{0,30}"
SERVICE_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
ARGUMENT_RE = re.compile(r"^(\*|\+|\+[A-Za-z0-9_.+-]+)$")
PARAMS = {"allow": {"target", "user", "notify", "autostart"},
          "ask": {"target", "user", "default_target", "notify", "autostart"},
          "deny": {"notify"}}
GATEWAY_SERVICES = {"qubesair.CredentialGet", "qubesair.SshAgent", "qubesair.CredentialDiskKey"}


def token_ok(token, side):
    if re.fullmatch(NAME, token):
        return True
    if token in ("@adminvm", "@anyvm"):
        return True
    if token == "@default" or token == "@dispvm":
        return side == "target"
    if re.fullmatch(r"@(tag|type):[A-Za-z0-9_.-]+", token):
        return True
    if re.fullmatch(r"@dispvm:(@tag:)?[A-Za-z0-9_.-]+", token):
        return True
    return False


def parse_rule(line):
    """Returns a rule dict or raises ValueError saying what is wrong."""
    fields = line.split()
    if len(fields) < 5:
        raise ValueError("fewer than 5 fields")
    service, argument, source, target, action = fields[:5]
    if service != "*" and not SERVICE_RE.match(service):
        raise ValueError("bad service %r" % service)
    if not ARGUMENT_RE.match(argument):
        raise ValueError("bad argument %r" % argument)
    if service == "*" and argument != "*":
        raise ValueError("service * needs argument *")
    if not token_ok(source, "source"):
        raise ValueError("bad source %r" % source)
    if not token_ok(target, "target"):
        raise ValueError("bad target %r" % target)
    if action not in PARAMS:
        raise ValueError("bad action %r" % action)
    for param in fields[5:]:
        key, sep, value = param.partition("=")
        if not sep or not value or key not in PARAMS[action]:
            raise ValueError("bad parameter %r for %s" % (param, action))
    return {"service": service, "argument": argument, "source": source,
            "target": target, "action": action, "line": line}


def read_policy(path, problems, seen=None):
    """Rules of @path in order, !include expanded (relative to policy.d)."""
    seen = seen or set()
    rules = []
    base = Path(path).parent if Path(path).parent.name != "include" else Path(path).parent.parent
    for number, raw in enumerate(Path(path).read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = "%s:%d" % (Path(path).name, number)
        if line.startswith("!"):
            parts = line.split()
            if parts[0] == "!include" and len(parts) == 2:
                target = base / parts[1]
                if not target.is_file() or target in seen:
                    problems.append("%s: cannot include %s" % (where, parts[1]))
                    continue
                seen.add(target)
                rules += read_policy(target, problems, seen)
            else:
                problems.append("%s: unknown directive %r" % (where, line))
            continue
        try:
            rule = parse_rule(line)
            rule["where"] = where
            rules.append(rule)
        except ValueError as e:
            problems.append("%s: %s" % (where, e))
    return rules


def template_rules(path, zone):
    """The documented per-zone lines (#@ ...) of the include file, for @zone."""
    rules = []
    for raw in Path(path).read_text().splitlines():
        if raw.startswith("#@ "):
            rule = parse_rule(raw[3:].replace("ZONE", zone))
            rule["where"] = "template(%s)" % zone
            rules.append(rule)
    return rules


def gateway_problems(rules):
    problems = []
    for r in rules:
        source = r["source"]
        is_gateway = source.startswith("sys-remote-") or source == "@tag:qubes-air-gateway"
        if r["service"] in GATEWAY_SERVICES and r["action"] != "deny":
            zone = source[len("sys-remote-"):] if source.startswith("sys-remote-") else None
            if zone is None or r["argument"] != "+" + zone:
                problems.append("%s: %s allowed to %s with argument %s"
                                % (r["where"], r["service"], source, r["argument"]))
        if is_gateway and r["service"] not in GATEWAY_SERVICES:
            problems.append("%s: a gateway is named with %s" % (r["where"], r["service"]))
    return problems


SYSTEM = {
    "mgmt": {"qubes-air-manager"},
    "vault": {"qubes-air-vault"},
    "sys-remote-work": {"qubes-air-gateway"},
    "sys-remote-lab": {"qubes-air-gateway"},
    "personal": set(),
}


def matches(token, qube):
    if token == "@anyvm":
        return qube != "dom0"
    if token.startswith("@tag:"):
        return token[5:] in SYSTEM.get(qube, set())
    return token == qube


def evaluate(rules, source, service, argument, target):
    for r in rules:
        if r["service"] not in ("*", service):
            continue
        if r["argument"] not in ("*", "+" + argument):
            continue
        if matches(r["source"], source) and matches(r["target"], target):
            return r["action"]
    return "deny"


EXPECT = [
    ("sys-remote-work", "qubesair.CredentialGet", "work", "vault", "allow"),
    ("sys-remote-work", "qubesair.SshAgent", "work", "vault", "allow"),
    ("sys-remote-lab", "qubesair.SshAgent", "lab", "vault", "allow"),
    ("sys-remote-work", "qubesair.CredentialGet", "lab", "vault", "deny"),
    ("sys-remote-work", "qubesair.SshAgent", "lab", "vault", "deny"),
    ("sys-remote-work", "qubesair.CredentialGet", "", "vault", "deny"),
    ("sys-remote-work", "qubesair.CredentialPut", "work", "vault", "deny"),
    ("sys-remote-work", "qubesair.CredentialList", "", "vault", "deny"),
    ("sys-remote-work", "qubesair.KeyGenerate", "work", "vault", "deny"),
    ("sys-remote-work", "qubesair.ZoneInfo", "", "sys-remote-lab", "deny"),
    ("sys-remote-work", "qubesair.Run", "q", "sys-remote-work", "deny"),
    ("personal", "qubesair.CredentialList", "", "vault", "deny"),
    ("personal", "qubesair.Run", "q", "sys-remote-work", "deny"),
    ("mgmt", "qubesair.CredentialGet", "work", "vault", "deny"),
    ("mgmt", "qubesair.SshAgent", "work", "vault", "deny"),
    ("mgmt", "qubesair.CredentialPut", "work", "vault", "allow"),
    ("mgmt", "qubesair.CredentialList", "", "vault", "allow"),
    ("mgmt", "qubesair.CredentialDelete", "work", "vault", "allow"),
    ("mgmt", "qubesair.KeyGenerate", "work", "vault", "allow"),
    ("mgmt", "qubesair.ZoneInfo", "", "sys-remote-work", "allow"),
    ("mgmt", "qubesair.Run", "q", "sys-remote-lab", "allow"),
    ("mgmt", "qubesair.FilePut", "q", "sys-remote-lab", "allow"),
    ("mgmt", "qubesair.CredentialPut", "work", "sys-remote-work", "deny"),
    ("mgmt", "qubesair.CredentialExport", "", "vault", "ask"),
    ("mgmt", "qubesair.CredentialImport", "", "vault", "allow"),
    ("mgmt", "qubesair.CredentialAgeUnwrap", "", "vault", "allow"),
    ("sys-remote-work", "qubesair.CredentialExport", "", "vault", "deny"),
    ("sys-remote-work", "qubesair.CredentialImport", "", "vault", "deny"),
    ("sys-remote-work", "qubesair.CredentialAgeUnwrap", "", "vault", "deny"),
    ("personal", "qubesair.CredentialExport", "", "vault", "deny"),
    ("sys-remote-work", "qubesair.CredentialDiskKey", "work", "vault", "allow"),
    ("sys-remote-work", "qubesair.CredentialDiskKey", "lab", "vault", "deny"),
    ("sys-remote-work", "qubesair.CredentialDiskKey", "", "vault", "deny"),
    ("mgmt", "qubesair.CredentialDiskKey", "work", "vault", "deny"),
    ("personal", "qubesair.CredentialDiskKey", "work", "vault", "deny"),
]

BROKEN = [
    "qubesair.Run * @anyvm",                              # too few fields
    "qubesair.Run work @anyvm @anyvm allow",              # argument without +
    "qubesair.Run * @anyvm @anyvm maybe",                 # action
    "* +x @anyvm @anyvm allow",                           # * needs *
    "qubesair.Run * @default @anyvm allow",               # @default as source
    "qubesair.Run * @anyvm @anyvm deny target=vault",     # deny takes no target
    "qubesair.R$n * @anyvm @anyvm allow",                 # service name
]


def main():
    policy = Path(sys.argv[1])
    include = policy.parent / "include" / "qubes-air-zones"
    results = []

    problems = []
    rules = read_policy(policy, problems)
    results.append(("every line of %s has the v5 fields" % policy.name, problems))

    zone_rules = template_rules(include, "work") + template_rules(include, "lab")
    results.append(("the per-zone template gives three rules a zone",
                    [] if len(zone_rules) == 6 else ["%d template rules" % len(zone_rules)]))

    # The template lines go where the include is, i.e. first.
    full = zone_rules + rules
    results.append(("gateways are named only with their own zone's Get, SshAgent and DiskKey",
                    gateway_problems(full)))

    wrong = []
    for source, service, argument, target, want in EXPECT:
        got = evaluate(full, source, service, argument, target)
        if got != want:
            wrong.append("%s -> %s+%s -> %s: %s, expected %s"
                         % (source, service, argument, target, got, want))
    results.append(("evaluated policy grants exactly the design", wrong))

    accepted = []
    for line in BROKEN:
        try:
            parse_rule(line)
            accepted.append("accepted %r" % line)
        except ValueError:
            pass
    bad_gateway = [parse_rule("qubesair.CredentialGet * sys-remote-work @tag:qubes-air-vault allow"),
                   parse_rule("qubesair.SshAgent +lab sys-remote-work vault allow"),
                   parse_rule("qubesair.Run * sys-remote-work @anyvm allow")]
    for r in bad_gateway:
        r["where"] = "sample"
    if len(gateway_problems(bad_gateway)) != 3:
        accepted.append("gateway check missed a bad rule")
    results.append(("the checker rejects broken lines", accepted))

    print("1..%d" % len(results))
    failed = 0
    for number, (name, errors) in enumerate(results, 1):
        if errors:
            failed += 1
            print("not ok %d - %s" % (number, name))
            for e in errors:
                print("# %s" % e)
        else:
            print("ok %d - %s" % (number, name))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

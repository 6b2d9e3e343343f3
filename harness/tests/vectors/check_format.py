#!/usr/bin/env python3
"""Format checker for the WPT-derived CORS test vectors (*.jsonl in this directory).

Stdlib only. Usage:
    python3 check_format.py [--digest PATH] [--quiet] [FILE.jsonl ...]

Checks, per line: valid JSON object; required keys; id unique and prefixed with the file slug;
rule IDs exist in the digest (`**ID-N [`); request/server/expect shapes; every URL the browser may
reach (request URL, history request URLs, resolved Location of every 3xx actual response) is a key
of "server". Prints counts per file and per rule, and the digest [N] rules that have no vector.
Exit status 1 if any error was found.
"""
import argparse
import collections
import glob
import json
import os
import re
import sys
from urllib.parse import urljoin, urlsplit, urlunsplit

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIGEST = "/work/shared/spec/cors-fetch-digest.md"

REQUIRED = ("id", "source", "rules", "request", "server", "expect")
OPTIONAL = ("note", "browser", "history", "time", "wpt_expect", "deviation", "browsers_follow_wpt")
REQ_REQUIRED = ("url", "origin", "method", "headers", "credentials")
REQ_OPTIONAL = ("mode", "use_cors_preflight")
CREDENTIALS = ("omit", "same-origin", "include")
MODES = ("cors", "no-cors", "same-origin")
EXPECT_KEYS = {
    "readable": bool, "preflight_required": bool, "acrm": (str, type(None)), "acrh": (str, type(None)),
    "actual_sent": bool, "origin_sent": (str, type(None)), "exposed_include": list,
    "exposed_exclude": list, "exposed_headers": list, "failed_rule": str,
}
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def load_rules(path):
    text = open(path, encoding="utf-8").read()
    rules = {}
    for m in re.finditer(r"\*\*([A-Z]+-\d+) \[([^\]]+)\]", text):
        rules.setdefault(m.group(1), m.group(2))
    return rules


def norm_url(url):
    """Approximate WHATWG URL serialization for comparison: lowercase scheme/host, drop default
    port, drop empty userinfo / empty password, drop fragment, '/' for an empty path."""
    p = urlsplit(url)
    scheme = p.scheme.lower()
    host = (p.hostname or "").lower()
    if ":" in host and not host.startswith("["):
        host = "[" + host + "]"
    port = p.port
    netloc = host
    if port is not None and DEFAULT_PORTS.get(scheme) != port:
        netloc += ":%d" % port
    user = p.username or ""
    pw = p.password or ""
    if user or pw:
        netloc = user + ((":" + pw) if pw else "") + "@" + netloc
    path = p.path or "/"
    return urlunsplit((scheme, netloc, path, p.query, ""))


def is_headers(h):
    return isinstance(h, list) and all(
        isinstance(x, list) and len(x) == 2 and all(isinstance(s, str) for s in x) for x in h)


def check_request(r, where, errs):
    if not isinstance(r, dict):
        errs.append("%s: request is not an object" % where)
        return
    for k in REQ_REQUIRED:
        if k not in r:
            errs.append("%s: request lacks %r" % (where, k))
    for k in r:
        if k not in REQ_REQUIRED + REQ_OPTIONAL:
            errs.append("%s: unknown request key %r" % (where, k))
    if "url" in r and not (isinstance(r["url"], str) and re.match(r"^https?://", r["url"])):
        errs.append("%s: request.url must be an absolute http(s) URL" % where)
    if "origin" in r and not (isinstance(r["origin"], str) and
                              (r["origin"] == "null" or re.match(r"^https?://[^/]+$", r["origin"]))):
        errs.append("%s: request.origin must be a serialized origin or 'null'" % where)
    if "method" in r and not (isinstance(r["method"], str) and r["method"]):
        errs.append("%s: request.method must be a non-empty string" % where)
    if "headers" in r and not is_headers(r["headers"]):
        errs.append("%s: request.headers must be a list of [name, value] string pairs" % where)
    if "credentials" in r and r["credentials"] not in CREDENTIALS:
        errs.append("%s: bad credentials %r" % (where, r["credentials"]))
    if "mode" in r and r["mode"] not in MODES:
        errs.append("%s: bad mode %r" % (where, r["mode"]))
    if "use_cors_preflight" in r and not isinstance(r["use_cors_preflight"], bool):
        errs.append("%s: use_cors_preflight must be boolean" % where)


def check_response(x, where, errs):
    if not isinstance(x, dict) or set(x) - {"status", "headers"} or "status" not in x or "headers" not in x:
        errs.append("%s: must be {status, headers}" % where)
        return
    if not (isinstance(x["status"], int) and 100 <= x["status"] <= 999):
        errs.append("%s: bad status %r" % (where, x["status"]))
    if not is_headers(x["headers"]):
        errs.append("%s: headers must be a list of [name, value] string pairs" % where)


def location_of(x):
    for n, v in x.get("headers", []):
        if n.lower() == "location":
            return v
    return None


def check_vector(v, slug, rules, errs, where):
    if not isinstance(v, dict):
        errs.append("%s: not a JSON object" % where)
        return
    for k in REQUIRED:
        if k not in v:
            errs.append("%s: missing %r" % (where, k))
    for k in v:
        if k not in REQUIRED + OPTIONAL:
            errs.append("%s: unknown key %r" % (where, k))
    if not isinstance(v.get("id"), str) or not v.get("id", "").startswith(slug + "/") or \
            len(v.get("id", "")) <= len(slug) + 1:
        errs.append("%s: id must be '%s/<name>'" % (where, slug))
    if not isinstance(v.get("source"), str) or not v.get("source"):
        errs.append("%s: source must be a non-empty string" % where)
    rl = v.get("rules")
    if not isinstance(rl, list) or not rl or not all(isinstance(r, str) for r in rl):
        errs.append("%s: rules must be a non-empty list of strings" % where)
    else:
        for r in rl:
            if r not in rules:
                errs.append("%s: unknown rule %r" % (where, r))
        if len(set(rl)) != len(rl):
            errs.append("%s: duplicate rule ids" % where)
    if "note" in v and not isinstance(v["note"], str):
        errs.append("%s: note must be a string" % where)
    if "browser" in v and not isinstance(v["browser"], str):
        errs.append("%s: browser must be a string" % where)
    if "time" in v and not isinstance(v["time"], (int, float)):
        errs.append("%s: time must be a number" % where)
    check_request(v.get("request"), where, errs)

    server = v.get("server")
    if not isinstance(server, dict) or not server:
        errs.append("%s: server must be a non-empty object" % where)
        server = {}
    keys = {}
    for url, ent in server.items():
        w = "%s: server[%s]" % (where, url)
        if not re.match(r"^https?://", url):
            errs.append("%s: key is not an absolute http(s) URL" % w)
        keys[norm_url(url)] = url
        if not isinstance(ent, dict) or "response" not in ent or set(ent) - {"preflight", "response"}:
            errs.append("%s: must be {preflight?, response}" % w)
            continue
        check_response(ent["response"], w + ".response", errs)
        if "preflight" in ent:
            check_response(ent["preflight"], w + ".preflight", errs)

    # reachability
    reached = []
    if isinstance(v.get("request"), dict) and isinstance(v["request"].get("url"), str):
        reached.append(("request.url", v["request"]["url"]))
    hist = v.get("history")
    if hist is not None:
        if not isinstance(hist, list):
            errs.append("%s: history must be a list" % where)
        else:
            for i, h in enumerate(hist):
                if not isinstance(h, dict) or set(h) - {"request", "time"} or "request" not in h:
                    errs.append("%s: history[%d] must be {request, time}" % (where, i))
                    continue
                check_request(h["request"], "%s: history[%d]" % (where, i), errs)
                if "time" in h and not isinstance(h["time"], (int, float)):
                    errs.append("%s: history[%d].time must be a number" % (where, i))
                if isinstance(h["request"], dict) and isinstance(h["request"].get("url"), str):
                    reached.append(("history[%d].url" % i, h["request"]["url"]))
    for url, ent in server.items():
        if isinstance(ent, dict) and isinstance(ent.get("response"), dict):
            st = ent["response"].get("status")
            loc = location_of(ent["response"])
            if isinstance(st, int) and 300 <= st <= 399 and loc is not None:
                reached.append(("Location at %s" % url, urljoin(url, loc)))
    for what, url in reached:
        if norm_url(url) not in keys:
            errs.append("%s: %s %r is not mapped in server" % (where, what, url))

    exp = v.get("expect")
    if not isinstance(exp, dict) or not exp:
        errs.append("%s: expect must be a non-empty object" % where)
    else:
        for k, val in exp.items():
            if k not in EXPECT_KEYS:
                errs.append("%s: unknown expect key %r" % (where, k))
            elif not isinstance(val, EXPECT_KEYS[k]):
                errs.append("%s: expect.%s has wrong type" % (where, k))
            elif k.startswith("exposed_"):
                if not all(isinstance(x, str) and x == x.lower() for x in val):
                    errs.append("%s: expect.%s must hold lowercase names" % (where, k))
            elif k == "failed_rule" and val not in rules:
                errs.append("%s: expect.failed_rule %r is not a digest rule" % (where, val))
            elif k == "origin_sent" and val is not None and not (
                    val == "null" or re.match(r"^https?://[^/]+$", val)):
                errs.append("%s: expect.origin_sent must be an origin, 'null' or null" % where)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--digest", default=DEFAULT_DIGEST)
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    rules = load_rules(a.digest)
    if not rules:
        print("no rule ids found in %s" % a.digest)
        return 1
    files = a.files or sorted(glob.glob(os.path.join(HERE, "*.jsonl")))
    errs = []
    ids = {}
    per_file = collections.OrderedDict()
    per_rule = collections.Counter()
    for path in files:
        slug = os.path.basename(path)[:-len(".jsonl")]
        n = 0
        with open(path, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                where = "%s:%d" % (os.path.basename(path), lineno)
                if not line.strip():
                    errs.append("%s: empty line" % where)
                    continue
                try:
                    v = json.loads(line)
                except ValueError as e:
                    errs.append("%s: invalid JSON (%s)" % (where, e))
                    continue
                n += 1
                check_vector(v, slug, rules, errs, where)
                if isinstance(v, dict) and isinstance(v.get("id"), str):
                    if v["id"] in ids:
                        errs.append("%s: duplicate id %r (first at %s)" % (where, v["id"], ids[v["id"]]))
                    else:
                        ids[v["id"]] = where
                if isinstance(v, dict) and isinstance(v.get("rules"), list):
                    for r in set(x for x in v["rules"] if isinstance(x, str)):
                        per_rule[r] += 1
        per_file[os.path.basename(path)] = n

    if not a.quiet:
        print("Vectors per file:")
        for fn, n in per_file.items():
            print("  %-58s %5d" % (fn, n))
        print("  %-58s %5d" % ("TOTAL", sum(per_file.values())))
        print("\nVectors per rule (digest tag in brackets):")

        def key(r):
            p, n = r.rsplit("-", 1)
            return (p, int(n))
        for r in sorted(rules, key=key):
            print("  %-9s [%-10s] %5d" % (r, rules[r][:10], per_rule.get(r, 0)))
        zero_n = [r for r in sorted(rules, key=key)
                  if per_rule.get(r, 0) == 0 and re.match(r"^N(\b|/|,)", rules[r]) and
                  not rules[r].startswith("N-derived")]
        print("\n[N] rules with zero vectors: %s" % (", ".join(zero_n) or "none"))
    if errs:
        print("\n%d error(s):" % len(errs))
        for e in errs[:500]:
            print("  " + e)
        return 1
    print("\nOK: %d vectors in %d files, no errors." % (sum(per_file.values()), len(per_file)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The log pipeline of the compose stack (Fluent Bit → Elasticsearch → Kibana) cannot run here: none of the
three is a Debian bookworm or PyPI package, and no image can be pulled. What is checked instead: the
Fluent Bit configuration's structure (sections, keys, the parsers it names, the tag it matches, where it
sends), the Elasticsearch index template, and the parsers applied, as Fluent Bit would apply them, to the
real log lines of a `shop up` run: every service's JSON line and the broker's text line parse, with the
time in the parser's format and every field the template maps."""
import json
import re
from datetime import datetime

import pytest
import yaml

import secrets

import shopflow
from conftest import COMPOSE, wait_until

FLUENT_BIT = COMPOSE / "fluent-bit"
LEVELS = {"trace", "debug", "info", "notice", "warning", "error", "critical"}
SERVICES = {"config", "discovery", "iam", "customer", "catalog", "order", "inventory", "payment", "shipping", "gateway"}


def sections(path):
    """Fluent Bit's classic format: [SECTION] headers, then `Key value` lines (a key may repeat)."""
    result = []
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            assert line.endswith("]"), f"{path.name}:{number}: {raw}"
            result.append((line[1:-1].upper(), []))
            continue
        assert raw.startswith((" ", "\t")) and result, f"{path.name}:{number}: a key outside a section: {raw}"
        key, _, value = line.partition(" ")
        assert value.strip(), f"{path.name}:{number}: {key} has no value"
        result[-1][1].append((key, value.strip()))
    return result


def values(entries, key):
    return [v for k, v in entries if k.lower() == key.lower()]


def one(entries, key):
    (value,) = values(entries, key)
    return value


def parsers():
    found = {}
    for name, entries in sections(FLUENT_BIT / "parsers.conf"):
        assert name == "PARSER"
        found[one(entries, "Name")] = dict((k.lower(), v) for k, v in entries)
    return found


def python_time_format(fluent_format):
    # Fluent Bit's %L is the fraction of a second; Python's %f reads 1–6 digits.
    return fluent_format.replace("%L", "%f")


def apply(parser, line):
    """What Fluent Bit's parser filter makes of `line`, or None when the parser does not match."""
    if parser["format"] == "json":
        try:
            record = json.loads(line)
        except ValueError:
            return None
        if not isinstance(record, dict):
            return None
    elif parser["format"] == "regex":
        # Onigmo's (?<name>…) is Python's (?P<name>…).
        match = re.match(parser["regex"].replace("(?<", "(?P<"), line)
        if not match:
            return None
        record = {k: v for k, v in match.groupdict().items() if v is not None}
    else:
        pytest.fail(f"parser format {parser['format']} is not checked here")
    raw_time = record[parser["time_key"]]
    stamp = raw_time[:-1] + "+0000" if raw_time.endswith("Z") else raw_time
    record["@timestamp"] = datetime.strptime(stamp, python_time_format(parser["time_format"]))
    return record


def test_configuration_structure():
    config = sections(FLUENT_BIT / "fluent-bit.conf")
    by_name = {}
    for name, entries in config:
        by_name.setdefault(name, []).append(entries)
    (service,) = by_name["SERVICE"]
    assert one(service, "Parsers_File") == "parsers.conf"
    (forward,) = by_name["INPUT"]
    assert one(forward, "Name") == "forward"
    (filter_,) = by_name["FILTER"]
    assert one(filter_, "Name") == "parser" and one(filter_, "Key_Name") == "log"
    assert set(values(filter_, "Parser")) <= set(parsers()), "the filter names a parser parsers.conf lacks"
    (output,) = by_name["OUTPUT"]
    assert one(output, "Name") == "es" and one(output, "Port") == "9200"
    # Where the logging driver sends and what it tags, and where the output goes, are the compose files' names.
    logs = yaml.safe_load((COMPOSE / "docker-compose.logs.yml").read_text())
    options = logs["x-logging"]["logging"]["options"]
    assert options["fluentd-address"].endswith(":" + one(forward, "Port"))
    tag_prefix = options["tag"].split("{{")[0]
    for entries in (filter_, output):
        assert re.fullmatch(one(entries, "Match").replace(".", r"\.").replace("*", ".*"), tag_prefix + "order")
    compose = yaml.safe_load((COMPOSE / "docker-compose.yml").read_text())
    assert one(output, "Host") in compose["services"]
    assert "fluent-bit" in compose["services"] and set(logs["services"]) == SERVICES | {"broker"}


def test_index_template_matches_the_output():
    template = json.loads((COMPOSE / "elasticsearch/shop-logs-template.json").read_text())
    (output,) = [e for n, e in sections(FLUENT_BIT / "fluent-bit.conf") if n == "OUTPUT"]
    prefix = one(output, "Logstash_Prefix")
    assert any(re.fullmatch(p.replace("*", ".*"), f"{prefix}-2026.12.03") for p in template["index_patterns"])
    properties = template["template"]["mappings"]["properties"]
    assert properties[one(output, "Time_Key")]["type"] == "date"
    for field in ("level", "service", "message", "request_id", "trace_id", "span_id"):
        assert field in properties


def test_real_log_lines_parse(stack):
    """Every line of the `shop up` run (prefixed `name | ` by shop up; in a container the line is alone)."""
    # One traced request through the gateway, so that lines written inside spans are among them.
    trace_id = secrets.token_hex(16)
    status, _ = shopflow.http_json("GET", stack["gateway"] + "/products", headers={"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"})
    assert status == 200

    def logged_in_trace():
        with open(stack["log"], errors="replace") as f:
            text = f.read()
        return text.count(f'"trace_id":"{trace_id}"') >= 2

    wait_until("the gateway's and catalog's access lines of the traced request", logged_in_trace, 30)
    available = parsers()
    (filter_,) = [e for n, e in sections(FLUENT_BIT / "fluent-bit.conf") if n == "FILTER"]
    order = [available[name] for name in values(filter_, "Parser")]
    mapped = json.loads((COMPOSE / "elasticsearch/shop-logs-template.json").read_text())["template"]["mappings"]["properties"]
    seen, unparsed, traced = {}, [], set()
    with open(stack["log"], errors="replace") as f:
        for raw in f:
            name, bar, line = raw.rstrip("\n").partition("| ")
            name = name.strip()
            if not bar or name == "shop" or not line.strip():
                continue
            record = next((r for r in (apply(p, line) for p in order) if r is not None), None)
            if record is None:
                unparsed.append(raw)
                continue
            assert record["level"] in LEVELS, raw
            for field, mapping in mapped.items():
                if field in record and mapping["type"] == "keyword":
                    assert isinstance(record[field], str), (field, raw)
            seen.setdefault(name, 0)
            seen[name] += 1
            if isinstance(record.get("trace_id"), str) and isinstance(record.get("span_id"), str):
                traced.add(name)
    assert not unparsed, "lines no parser matches:\n" + "".join(unparsed[:20])
    assert SERVICES | {"broker"} <= set(seen), f"no parsed line from {SERVICES | {'broker'} - set(seen)}"
    # The stack exports traces (conftest): a service's lines written inside a span carry its ids, as keywords.
    assert {"gateway", "catalog"} <= traced, f"trace_id/span_id parsed only from {sorted(traced)}"

"""Server time and queries of the admin change lists and the pages on the generated
data, in-process (Django's test client, no HTTP), as the bench coordinator and liaison.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench uv run python bench/pages.py

The dashboard (``pages:dashboard``), an area page (``pages:area``) and my quarter
(``pages:my-quarter``) are timed when those URLs exist; until then the script says it
skipped them.
"""

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"

from .common import bench_programme, bench_users, open_quarter, recorded, setup, timed

HOST = "127.0.0.1"


def admin_lists():
    """(label, URL) of the change lists, with the filters people use."""
    from django.urls import reverse

    quarter = open_quarter()
    earlier = quarter.previous()
    programme = bench_programme()

    def changelist(model, query=""):
        return reverse(f"admin:{model}_changelist") + (f"?{query}" if query else "")

    return [
        ("interventions", changelist("interventions_intervention")),
        (
            "interventions, running, one programme",
            changelist(
                "interventions_intervention",
                f"status__exact=running&track__programme__id__exact={programme.pk}",
            ),
        ),
        ("interventions, search", changelist("interventions_intervention", "q=jongeren")),
        ("progress updates", changelist("reporting_progressupdate")),
        (
            "progress updates, one quarter, red",
            changelist(
                "reporting_progressupdate", f"period__id__exact={earlier.pk}&light__exact=red"
            ),
        ),
        ("area reports", changelist("reporting_areareport")),
        (
            "area reports, open quarter",
            changelist("reporting_areareport", f"period__id__exact={quarter.pk}"),
        ),
        ("quarters", changelist("programme_reportingperiod")),
        ("funding lines", changelist("interventions_fundingline")),
        ("indicators", changelist("interventions_indicator")),
        ("escalations", changelist("reporting_escalation")),
        ("partners", changelist("areas_partner")),
        ("areas", changelist("areas_area")),
    ]


def pages():
    """(label, URL name, args) of the pages for people; skipped while they do not exist."""
    from areas.models import Area

    area = Area.objects.filter(tracks__programme=bench_programme()).order_by("pk").first()
    return [
        # The dashboard's figures are cached until a write changes them (reporting/cache.py):
        # cold is the first request after a write, warm every request after it.
        ("dashboard, cold cache", "pages:dashboard", []),
        ("dashboard", "pages:dashboard", []),
        ("area page", "pages:area", [area.pk]),
        ("my quarter", "pages:my-quarter", []),
    ]


def measure(client, url, repeat, cold=False):
    from django.core.cache import cache

    def get():
        if cold:
            cache.clear()
        return client.get(url, HTTP_HOST=HOST)

    response, log = recorded(get)
    if response.status_code != 200:
        return {"status": response.status_code}
    samples = timed(get, repeat)
    ordered = sorted(samples)
    return {
        "status": 200,
        "median_ms": ordered[len(ordered) // 2],
        "max_ms": ordered[-1],
        "queries": len(log),
        "slowest_sql_ms": log.slowest_ms(),
    }


def run(repeat=10, say=print):
    setup()
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    users = bench_users()
    results = {"admin": [], "pages": [], "skipped": []}
    for role in ("coordinator", "liaison"):
        client = Client()
        client.force_login(users[role])
        for label, url in admin_lists():
            figures = measure(client, url, repeat)
            results["admin"].append({"label": label, "role": role, "url": url, **figures})
            say(_line(f"admin: {label}", role, figures))
        for label, name, args in pages():
            try:
                url = reverse(name, args=args)
            except NoReverseMatch:
                if role == "coordinator":
                    results["skipped"].append(name)
                    say(f"skipped {label}: the URL {name!r} does not exist yet")
                continue
            figures = measure(client, url, repeat, cold="cold" in label)
            results["pages"].append({"label": label, "role": role, "url": url, **figures})
            say(_line(label, role, figures))
    return results


def _line(label, role, figures):
    if figures["status"] != 200:
        return f"{label:<45} {role:<12} HTTP {figures['status']}"
    return (
        f"{label:<45} {role:<12} median {figures['median_ms']:6.0f} ms, max "
        f"{figures['max_ms']:6.0f} ms, {figures['queries']:3d} queries, slowest query "
        f"{figures['slowest_sql_ms']:.0f} ms"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    run(args.repeat)


if __name__ == "__main__":
    main()

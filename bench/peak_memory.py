#!/usr/bin/env python3
"""custos's resident memory under a GenerateDataKey load, sampled while the load runs.

bench/run reads /proc/PID/status once, after its scenarios; this starts custos the same way
(bench/run's start_custos and run_scenarios, so the same flags and the same wrk load), and
samples VmRSS, RssAnon, RssFile and VmHWM every 50 ms during the run, so that a short peak
(a rotated trail file being sealed) is seen and its kind (heap or mapped file) told.

    BENCH_DURATION=20s python3 bench/peak_memory.py [-- extra custos serve flags]

It prints the load's req/s, the peaks, the sealed trail's size per million records, and
what `custos audit verify` says of that trail.
Run it on a quiet machine: wrk and custos share the cores with whatever else runs."""
import importlib.machinery
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

os.environ.setdefault("BENCH_DURATION", "20s")
HERE = os.path.dirname(os.path.abspath(__file__))
_loader = importlib.machinery.SourceFileLoader("bench_run", os.path.join(HERE, "run"))
_spec = importlib.util.spec_from_loader("bench_run", _loader)
bench = importlib.util.module_from_spec(_spec)
_loader.exec_module(bench)


def status(pid):
    """VmRSS, VmHWM, RssAnon, RssFile of pid in MiB ({} once it has gone)."""
    fields = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                    fields[k] = int(v.split()[0]) / 1024
    except OSError:
        pass
    return fields


def sample(pid, peaks, done):
    while not done.is_set():
        for k, v in status(pid).items():
            peaks[k] = max(peaks.get(k, 0.0), v)
        time.sleep(0.05)


def main():
    tmp = tempfile.mkdtemp(prefix="custos-peak-")
    proc = None
    try:
        proc, url = bench.start_custos(tmp)
        peaks, done = {}, threading.Event()
        sampler = threading.Thread(target=sample, args=(proc.pid, peaks, done), daemon=True)
        sampler.start()
        rows = bench.run_scenarios(tmp, "custos", url, ("GenerateDataKey",))
        time.sleep(2)  # the seal of the last rotated file
        done.set()
        sampler.join()
        end = status(proc.pid)
        r = rows[0][2]
        print(f"GenerateDataKey: {r['rps']:.0f} req/s, {r['requests']} requests, "
              f"{r['non200']} non-200, socket errors {r['socket_errors'] or 'none'}")
        print("peak while loaded (MiB): " +
              ", ".join(f"{k} {peaks.get(k, 0):.1f}" for k in ("VmRSS", "RssAnon", "RssFile")))
        print(f"VmHWM at the end: {end.get('VmHWM', 0):.1f} MiB; VmRSS {end.get('VmRSS', 0):.1f} MiB")
        bench.stop(proc)
        size, records, gdk = bench.trail_size(os.path.join(tmp, "custos"))
        if records:
            print(f"sealed trail: {size / 1e6:.1f} MB for {records} records ({gdk} GenerateDataKey), "
                  f"{size / records:.0f} bytes per record, {size / records:.1f} MB per million")
        files = [f for f in os.listdir(os.path.join(tmp, "custos", "audit-trail")) if f.endswith(".jsonl.gz")]
        verify = subprocess.run([bench.CUSTOS, "audit", "verify", os.path.join(tmp, "custos")],
                                capture_output=True, text=True)
        print(f"{len(files)} sealed log files; custos audit verify: exit {verify.returncode}, "
              f"{(verify.stdout + verify.stderr).strip().splitlines()[-1:]}")
    finally:
        if proc:
            bench.stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

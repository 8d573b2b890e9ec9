#!/usr/bin/env python3
"""Driver for bench/smtp/run. Measures messages per second accepted and end to end.

Accepted: N / wall time of smtp-source (every message got its 250).
End to end: N / time from the start of smtp-source until the relay has handed every message to smtp-sink
(Postfix: its queue directories are empty; Sekisho: the delivered counter of /metrics reaches N).
"""
import argparse, json, os, shutil, signal, socket, subprocess, sys, time, urllib.request, threading

SINK_PORT, POSTFIX_PORT, SEKISHO_PORT, METRICS_PORT = 2527, 2526, 2525, 9125
SESSIONS = 20

def log(*a):
    print(*a, file=sys.stderr, flush=True)

def wait_port(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")

def smtp_source(port, size, count):
    t0 = time.perf_counter()
    subprocess.run(["smtp-source", "-l", str(size), "-m", str(count), "-s", str(SESSIONS),
                    "-f", "a@example.com", "-t", "b@example.net", f"127.0.0.1:{port}"], check=True)
    return t0, time.perf_counter()

class Postfix:
    def __init__(self, work):
        self.dir = os.path.join(work, "postfix")
        self.conf = os.path.join(self.dir, "conf")
        self.queue = os.path.join(self.dir, "queue")

    def setup(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.conf)
        os.makedirs(os.path.join(self.dir, "data"))
        os.makedirs(self.queue)
        shutil.chown(os.path.join(self.dir, "data"), "postfix")
        shutil.copy("/etc/postfix/master.cf", self.conf)
        open(os.path.join(self.conf, "main.cf"), "w").close()
        settings = {
            "compatibility_level": "3.6", "queue_directory": self.queue, "data_directory": os.path.join(self.dir, "data"),
            "inet_interfaces": "127.0.0.1", "inet_protocols": "ipv4", "myhostname": "postfix.bench.test",
            "mydestination": "", "relay_domains": "example.net", "relayhost": f"[127.0.0.1]:{SINK_PORT}",
            "mynetworks": "127.0.0.0/8", "smtpd_relay_restrictions": "permit_mynetworks,reject",
            "smtp_destination_concurrency_limit": "20", "relay_destination_concurrency_limit": "20",
            "smtp_dns_support_level": "disabled", "alias_maps": "", "alias_database": "", "local_recipient_maps": "",
            "maillog_file_prefixes": self.dir, "maillog_file": os.path.join(self.dir, "maillog"),
        }
        subprocess.run(["postconf", "-c", self.conf, "-e"] + [f"{k}={v}" for k, v in settings.items()], check=True)
        lines = open(os.path.join(self.conf, "master.cf")).read().splitlines()
        out = []
        for l in lines:
            if l.startswith("smtp ") and " inet " in l:
                l = f"{POSTFIX_PORT}      inet  n       -       n       -       -       smtpd"
            out.append(l)
        open(os.path.join(self.conf, "master.cf"), "w").write("\n".join(out) + "\n")
        # A non-default config directory must be named in the default main.cf (Postfix's own safety check).
        # Debian's "No configuration" install has no /etc/postfix/main.cf at all: start from an empty one.
        if not os.path.exists("/etc/postfix/main.cf"):
            os.makedirs("/etc/postfix", exist_ok=True)
            open("/etc/postfix/main.cf", "w").close()
            self.created_default_main = True
        current = subprocess.run(["postconf", "-h", "alternate_config_directories"], capture_output=True, text=True).stdout.strip()
        self.previous_alternate = current
        if self.conf not in current.split():
            subprocess.run(["postconf", "-e", f"alternate_config_directories={(current + ' ' + self.conf).strip()}"], check=True)
        subprocess.run(["postfix", "-c", self.conf, "start"], check=True)
        wait_port(POSTFIX_PORT)

    def queued(self):
        n = 0
        for d in ("maildrop", "incoming", "active", "deferred", "hold"):
            for _, _, files in os.walk(os.path.join(self.queue, d)):
                n += len(files)
        return n

    def stop(self):
        subprocess.run(["postfix", "-c", self.conf, "stop"], check=False, capture_output=True)
        if getattr(self, "created_default_main", False):
            os.remove("/etc/postfix/main.cf")
        else:
            subprocess.run(["postconf", "-e", f"alternate_config_directories={self.previous_alternate}"], check=False)

class Sekisho:
    def __init__(self, work):
        self.work = work
        self.proc = None

    def start(self, tag):
        spool = os.path.join(self.work, "spool-" + tag)
        shutil.rmtree(spool, ignore_errors=True)
        self.proc = subprocess.Popen(["dotnet", os.path.join(self.work, "testhost", "Sekisho.Smtp.TestHost.dll"),
            "--spool", spool, "--smtp", f"127.0.0.1:{SEKISHO_PORT}", "--metrics", f"127.0.0.1:{METRICS_PORT}",
            "--domain", f"example.net=127.0.0.1:{SINK_PORT}", "--concurrency", "20",
            "--max-per-client", "1000", "--max-connections", "2000"], stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("READY"):
            raise RuntimeError("Sekisho test host did not start: " + line)
        wait_port(SEKISHO_PORT)

    def delivered(self):
        text = urllib.request.urlopen(f"http://127.0.0.1:{METRICS_PORT}/metrics", timeout=5).read().decode()
        for l in text.splitlines():
            if l.startswith("sekisho_delivery_recipients_delivered_total "):
                return int(l.split()[1])
        return 0

    def rss_mb(self):
        for l in open(f"/proc/{self.proc.pid}/status"):
            if l.startswith("VmRSS:"):
                return int(l.split()[1]) / 1024
        return 0.0

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None

def run_relay(port, size, count, drained):
    t0, t_acc = smtp_source(port, size, count)
    deadline = time.time() + 600
    while not drained():
        if time.time() > deadline:
            raise RuntimeError("relay did not drain its queue")
        time.sleep(0.005)
    t_e2e = time.perf_counter()
    return count / (t_acc - t0), count / (t_e2e - t0)

def idle_sessions(n):
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", SEKISHO_PORT), timeout=10)
        s.recv(512)
        s.sendall(b"EHLO idle.bench.test\r\n")
        socks.append(s)
    for s in socks:
        s.recv(4096)
    return socks

def fsync_ceiling(work, writers=SESSIONS, seconds=3.0):
    """The disk's rate of 2 KB file writes made durable (file and directory fsync) by `writers` threads:
    the most messages per second any relay that syncs each message before its 250 can accept here."""
    d = os.path.join(work, "fsync-probe")
    os.makedirs(d, exist_ok=True)
    counts, data = [0] * writers, b"x" * 2048
    def writer(i):
        dfd, end, k = os.open(d, os.O_RDONLY), time.perf_counter() + seconds, 0
        while time.perf_counter() < end:
            path = os.path.join(d, f"{i}-{k}")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.write(fd, data); os.fsync(fd); os.close(fd); os.fsync(dfd); os.unlink(path)
            k += 1
        os.close(dfd)
        counts[i] = k
    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    for t in threads: t.start()
    for t in threads: t.join()
    return sum(counts) / seconds

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--messages", type=int, default=10000)
    args = ap.parse_args()
    n = args.messages
    sink = subprocess.Popen(["smtp-sink", "-u", "postfix", f"127.0.0.1:{SINK_PORT}", "1000"])
    postfix, sekisho = Postfix(args.work), Sekisho(args.work)
    results = {"messages": n, "sessions": SESSIONS, "cpus": os.cpu_count(), "sizes": {}}
    try:
        wait_port(SINK_PORT)
        postfix.setup()
        for size in (2048, 20480):
            r = {}
            log(f"== {size // 1024} KB: (a) smtp-source -> smtp-sink")
            smtp_source(SINK_PORT, size, 1000)
            t0, t1 = smtp_source(SINK_PORT, size, n)
            r["sink"] = n / (t1 - t0)
            log(f"== {size // 1024} KB: (b) smtp-source -> Postfix -> smtp-sink")
            run_relay(POSTFIX_PORT, size, 1000, lambda: postfix.queued() == 0)  # warm-up
            r["postfix_accepted"], r["postfix_e2e"] = run_relay(POSTFIX_PORT, size, n, lambda: postfix.queued() == 0)
            log(f"== {size // 1024} KB: (c) smtp-source -> Sekisho -> smtp-sink")
            sekisho.start(str(size))
            run_relay(SEKISHO_PORT, size, 1000, lambda: sekisho.delivered() >= 1000)  # warm-up (JIT)
            r["sekisho_accepted"], r["sekisho_e2e"] = run_relay(SEKISHO_PORT, size, n, lambda: sekisho.delivered() >= 1000 + n)
            sekisho.stop()
            results["sizes"][f"{size // 1024}KB"] = r
        log("== disk: durable 2 KB writes per second (file + directory fsync), 20 writers")
        results["fsync_ceiling"] = fsync_ceiling(args.work)
        log("== Sekisho resident memory with 500 idle sessions")
        sekisho.start("idle")
        time.sleep(1)
        base = sekisho.rss_mb()
        socks = idle_sessions(500)
        time.sleep(2)
        results["rss_idle_mb"], results["rss_500_sessions_mb"] = base, sekisho.rss_mb()
        for s in socks:
            s.close()
        sekisho.stop()
    finally:
        sekisho.stop()
        postfix.stop()
        sink.terminate()
        sink.wait()

    print(f"\nSMTP relay benchmark: {n} messages per run, {SESSIONS} sessions, 1 message per connection, fsync on for both relays, {os.cpu_count()} CPUs")
    print(f"{'size':>5} | {'(a) sink':>9} | {'(b) Postfix acc':>15} | {'(b) e2e':>8} | {'(c) Sekisho acc':>15} | {'(c) e2e':>8} | {'c/b acc':>7} | {'c/b e2e':>7} | {'c/a acc':>7} | {'c/a e2e':>7}")
    for size, r in results["sizes"].items():
        r["c_over_b_accepted"] = r["sekisho_accepted"] / r["postfix_accepted"]
        r["c_over_b_e2e"] = r["sekisho_e2e"] / r["postfix_e2e"]
        r["c_over_a_accepted"] = r["sekisho_accepted"] / r["sink"]
        r["c_over_a_e2e"] = r["sekisho_e2e"] / r["sink"]
        print(f"{size:>5} | {r['sink']:9.0f} | {r['postfix_accepted']:15.0f} | {r['postfix_e2e']:8.0f} | {r['sekisho_accepted']:15.0f} | {r['sekisho_e2e']:8.0f} | "
              f"{r['c_over_b_accepted']:7.2f} | {r['c_over_b_e2e']:7.2f} | {r['c_over_a_accepted']:7.2f} | {r['c_over_a_e2e']:7.2f}")
    print(f"Sekisho resident memory: {results['rss_idle_mb']:.0f} MB idle, {results['rss_500_sessions_mb']:.0f} MB with 500 idle sessions (target < 300 MB)")
    fc = results["fsync_ceiling"]
    print(f"Disk ceiling: {fc:.0f} durable file writes/s (file + directory fsync, {SESSIONS} writers) = {fc / results['sizes']['2KB']['sink']:.2f} of (a) at 2 KB;"
          " a relay that syncs each message before its 250 cannot accept faster than this")
    print("Targets: c/b >= 1.0 (accepted and end to end), c/a >= 0.5")
    os.makedirs(args.results, exist_ok=True)
    path = os.path.join(args.results, time.strftime("smtp-%Y%m%d-%H%M%S.json"))
    json.dump(results, open(path, "w"), indent=2)
    print("Results: " + path)

if __name__ == "__main__":
    main()

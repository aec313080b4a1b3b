#!/usr/bin/env python3
"""A throwaway PostgreSQL server for the tests: Debian's postgresql binaries, a cluster
initialised in a temporary directory owned by an unprivileged user (PostgreSQL refuses
to run as root, and the tests run as root in CI), listening on 127.0.0.1 on a free port
with a password (scram-sha-256), stopped and deleted at the end.

    pg_server.py start STATE_DIR   start one; STATE_DIR/url then holds its store URL
    pg_server.py stop STATE_DIR    stop it and delete its files

ctest runs these as the setup and cleanup of the "pg" fixture (tests/tests.cmake), so
one server serves every test that requires it; python tests may also use PgServer
directly. The server keeps PostgreSQL's durable defaults (fsync on): the crash tests
rely on them. initdb's own --no-sync only skips syncing the new cluster's files, which a
crash of the machine would throw away with the temporary directory anyway."""
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile

USER = "custos"        # the database role the tests connect as
DB = "custos"


def pg_bin(name):
    """A PostgreSQL server binary: Debian keeps them under /usr/lib/postgresql/<v>/bin."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if not path:
        raise RuntimeError(f"{name} not found: run scripts/install-deps (package postgresql)")
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """One PostgreSQL cluster in its own temporary directory."""

    def __init__(self):
        self.root = None
        self.port = None
        self.password = secrets.token_hex(12)
        self.os_user = None

    def _as_user(self, argv, **kw):
        """Run argv as the unprivileged owner of the cluster (ourselves when not root)."""
        if os.geteuid() == 0:
            argv = ["runuser", "-u", self.os_user, "--"] + argv
        return subprocess.run(argv, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              **kw)

    @property
    def data(self):
        return os.path.join(self.root, "data")

    @property
    def url(self):
        return f"postgres://{USER}:{self.password}@127.0.0.1:{self.port}/{DB}?sslmode=disable"

    def start(self):
        self.root = tempfile.mkdtemp(prefix="custos-pg-")
        if os.geteuid() == 0:
            self.os_user = "nobody"
            ent = pwd.getpwnam(self.os_user)
            os.chown(self.root, ent.pw_uid, ent.pw_gid)
        os.chmod(self.root, 0o700)
        pwfile = os.path.join(self.root, "pw")
        with open(pwfile, "w") as f:
            f.write(self.password + "\n")
        if self.os_user:
            ent = pwd.getpwnam(self.os_user)
            os.chown(pwfile, ent.pw_uid, ent.pw_gid)
        self.port = free_port()
        env = dict(os.environ, LC_ALL="C")
        self._as_user([pg_bin("initdb"), "-D", self.data, "-U", USER, f"--pwfile={pwfile}",
                       "--auth=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync"],
                      env=env, cwd=self.root)
        os.unlink(pwfile)
        self.resume()
        self.psql("postgres", f"CREATE DATABASE {DB}")
        return self

    def resume(self):
        """Start the server (again, after halt: same port, same data)."""
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                "-c max_connections=200 -c shared_buffers=32MB")
        self._as_user([pg_bin("pg_ctl"), "-D", self.data, "-l", os.path.join(self.root, "log"),
                       "-w", "-t", "60", "-o", opts, "start"], env=dict(os.environ, LC_ALL="C"),
                      cwd=self.root)

    def restart(self):
        """pg_ctl restart (fast: open sessions are ended), same port, same data."""
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                "-c max_connections=200 -c shared_buffers=32MB")
        self._as_user([pg_bin("pg_ctl"), "-D", self.data, "-l", os.path.join(self.root, "log"),
                       "-m", "fast", "-w", "-t", "60", "-o", opts, "restart"],
                      env=dict(os.environ, LC_ALL="C"), cwd=self.root)

    def halt(self):
        """Stop the server, keeping its data: the database is gone until resume()."""
        self._as_user([pg_bin("pg_ctl"), "-D", self.data, "-m", "fast", "-w", "stop"],
                      cwd=self.root)

    def psql(self, db, sql):
        """Run sql as the tests' role; its output."""
        env = dict(os.environ, PGPASSWORD=self.password)
        p = subprocess.run([pg_bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                            "-p", str(self.port), "-U", USER, "-d", db, "-tA", "-c", sql],
                           env=env, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        return p.stdout

    def stop(self):
        if not self.root:
            return
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            try:
                self._as_user([pg_bin("pg_ctl"), "-D", self.data, "-m", "fast", "-w", "stop"])
            except subprocess.CalledProcessError as e:
                sys.stderr.write(e.stdout.decode(errors="replace"))
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None


def _state(state_dir, name):
    return os.path.join(state_dir, name)


def main(argv):
    if len(argv) != 3 or argv[1] not in ("start", "stop"):
        sys.stderr.write("usage: pg_server.py start|stop STATE_DIR\n")
        return 2
    state_dir = argv[2]
    os.makedirs(state_dir, exist_ok=True)
    # a server an interrupted run left behind is stopped first
    old = PgServer()
    try:
        with open(_state(state_dir, "root")) as f:
            old.root = f.read().strip()
        old.os_user = "nobody" if os.geteuid() == 0 else None
        old.stop()
    except FileNotFoundError:
        pass
    for name in ("root", "url"):
        try:
            os.unlink(_state(state_dir, name))
        except FileNotFoundError:
            pass
    if argv[1] == "stop":
        return 0
    server = PgServer()
    try:
        server.start()
    except subprocess.CalledProcessError as e:
        sys.stderr.write(f"{e.cmd[0]} failed:\n{(e.stdout or b'').decode(errors='replace')}\n")
        server.stop()
        return 1
    with open(_state(state_dir, "root"), "w") as f:
        f.write(server.root + "\n")
    fd = os.open(_state(state_dir, "url"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(server.url + "\n")
    print(f"pg_server: PostgreSQL on 127.0.0.1:{server.port} in {server.root}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

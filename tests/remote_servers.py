"""Start and stop real SPARQL 1.1 Query/Update servers for tests.

Self-contained (standard library only).  Every server binds to 127.0.0.1 on
a free port and keeps all its files below the ``datadir`` it is given.

    srv = start_oxigraph(tmp_path / "oxi")      # oxigraph 0.5.x CLI
    srv = start_virtuoso(tmp_path / "virt")     # Debian virtuoso-opensource 7
    ...  srv.query_url, srv.update_url, srv.gsp_url, srv.user, srv.password
    srv.stop()

pytest usage::

    ok, why = virtuoso_available()
    @pytest.fixture(scope="session")
    def virtuoso(tmp_path_factory):
        if not ok:
            pytest.skip(why)
        srv = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
        yield srv
        srv.stop()

Environment overrides: OXIGRAPH_BIN, VIRTUOSO_BIN, ISQL_BIN.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Tuple

__all__ = [
    "Server",
    "ServerStartError",
    "free_port",
    "oxigraph_available",
    "virtuoso_available",
    "start_oxigraph",
    "start_virtuoso",
]

HOST = "127.0.0.1"


class ServerStartError(RuntimeError):
    pass


@dataclass
class Server:
    name: str
    query_url: str
    update_url: str
    gsp_url: Optional[str]
    user: Optional[str]
    password: Optional[str]
    process: subprocess.Popen = field(repr=False)
    datadir: Path = field(repr=False)
    log_path: Path = field(repr=False)
    startup_seconds: float = 0.0
    extra: dict = field(default_factory=dict, repr=False)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """terminate, wait, kill.  Idempotent."""
        p = self.process
        if p.poll() is None:
            try:
                p.terminate()
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=timeout)
            except ProcessLookupError:
                pass
        log = self.extra.pop("_logfile", None)
        if log is not None:
            log.close()

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# ---------------------------------------------------------------- helpers

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _free_ports(n: int) -> List[int]:
    socks, ports = [], []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((HOST, 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports


def _which(env: str, name: str, extra_dirs=()) -> Optional[str]:
    v = os.environ.get(env)
    if v:
        return v if os.path.exists(v) else shutil.which(v)
    found = shutil.which(name)
    if found:
        return found
    for d in extra_dirs:
        cand = Path(d) / name
        if cand.is_file() and os.access(cand, os.X_OK):
            return str(cand)
    return None


def _http_ok(url: str, timeout: float = 1.0) -> bool:
    req = urllib.request.Request(
        url, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            return 200 <= r.status < 300
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


def _wait_http(proc: subprocess.Popen, url: str, timeout: float, log: Path,
               what: str) -> None:
    deadline = time.monotonic() + timeout
    delay = 0.02
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerStartError(
                f"{what} exited with code {proc.returncode}:\n{_tail(log)}")
        if _http_ok(url):
            return
        time.sleep(delay)
        delay = min(delay * 1.5, 0.25)
    raise ServerStartError(f"{what} did not answer {url} within {timeout}s:\n{_tail(log)}")


def _tail(p: Path, n: int = 40) -> str:
    try:
        return "\n".join(p.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# ---------------------------------------------------------------- oxigraph

def _oxigraph_bin() -> Optional[str]:
    return _which("OXIGRAPH_BIN", "oxigraph", [Path(sys.executable).parent])


def oxigraph_available() -> Tuple[bool, str]:
    b = _oxigraph_bin()
    if not b:
        return False, "oxigraph CLI not found (pip install 'oxigraph>=0.5,<0.6')"
    return True, b


def start_oxigraph(datadir, timeout: float = 30.0, extra_args=()) -> Server:
    """``oxigraph serve --location DATADIR --bind 127.0.0.1:PORT``.

    Endpoints: /query, /update, /store (Graph Store Protocol).  No auth.
    The default graph is the real default graph (not the union) unless
    ``extra_args=["--union-default-graph"]`` is given.
    """
    binary = _oxigraph_bin()
    if not binary:
        raise ServerStartError(oxigraph_available()[1])
    datadir = Path(datadir)
    datadir.mkdir(parents=True, exist_ok=True)
    store = datadir / "store"
    log = datadir / "oxigraph.log"
    last_err: Optional[Exception] = None
    for _attempt in range(3):          # retry on a lost port race
        port = free_port()
        base = f"http://{HOST}:{port}"
        t0 = time.monotonic()
        logf = open(log, "ab")
        proc = subprocess.Popen(
            [binary, "serve", "--location", str(store),
             "--bind", f"{HOST}:{port}", *extra_args],
            stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            cwd=datadir)
        try:
            _wait_http(proc, base + "/query?query=" + urllib.parse.quote("ASK{}"),
                       timeout, log, "oxigraph")
        except ServerStartError as e:
            _kill(proc)
            logf.close()
            last_err = e
            continue
        return Server(
            name="oxigraph", query_url=base + "/query", update_url=base + "/update",
            gsp_url=base + "/store", user=None, password=None, process=proc,
            datadir=datadir, log_path=log, startup_seconds=time.monotonic() - t0,
            extra={"_logfile": logf, "port": port, "base": base})
    raise last_err  # type: ignore[misc]


# ---------------------------------------------------------------- virtuoso

_VIRTUOSO_DIRS = ["/usr/bin", "/usr/local/bin", "/opt/virtuoso-opensource/bin",
                  "/usr/local/virtuoso-opensource/bin"]


def _virtuoso_bins() -> Tuple[Optional[str], Optional[str]]:
    return (_which("VIRTUOSO_BIN", "virtuoso-t", _VIRTUOSO_DIRS),
            _which("ISQL_BIN", "isql-vt", _VIRTUOSO_DIRS)
            or _which("ISQL_BIN", "isql-v", _VIRTUOSO_DIRS))


def virtuoso_available() -> Tuple[bool, str]:
    v, i = _virtuoso_bins()
    if not v:
        return False, ("virtuoso-t not found (Debian: apt-get install "
                       "virtuoso-opensource)")
    if not i:
        return False, "isql-vt not found (Debian package virtuoso-opensource-7-bin)"
    return True, v


VIRTUOSO_INI = """\
; generated by remote_servers.py -- test instance, 127.0.0.1 only
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {d}/virtuoso-temp.db
TransactionFile    = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = {host}:{sql_port}
LiteMode                 = 0
DisableUnixSocket        = 1
DisableTcpSocket         = 0
ServerThreads            = 20
MaxClientConnections     = 20
CheckpointInterval       = 60
O_DIRECT                 = 0
CaseMode                 = 2
MaxStaticCursorRows      = 5000
CheckpointAuditTrail     = 0
AllowOSCalls             = 0
SchedulerInterval        = 10
DirsAllowed              = ., {d}
ThreadCleanupInterval    = 0
ThreadThreshold          = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize        = 100000
SingleCPU                = 0
PrefixResultNames        = 0
RdfFreeTextRulesSize     = 100
IndexTreeMaps            = 64
MaxMemPoolSize           = 200000000
MaxQueryMem              = 1G
VectorSize               = 1000
MaxVectorSize            = 1000000
AdjustVectorSize         = 0
ThreadsPerQuery          = 4
AsyncQueueMaxThreads     = 10
NumberOfBuffers          = {buffers}
MaxDirtyBuffers          = {dirty}
; ORDER BY + LIMIT/OFFSET window limit (default 10000)
MaxSortedTopRows         = 100000000

[HTTPServer]
ServerPort                  = {host}:{http_port}
ServerRoot                  = {d}/vsp
MaxClientConnections        = 20
DavRoot                     = DAV
EnabledDavVSP               = 0
HTTPProxyEnabled            = 0
TempASPXDir                 = 0
ServerThreads               = 20
MaxKeepAlives               = 10
KeepAliveTimeout            = 10
HTTPThreadSize              = 280000
HttpPrintWarningsInOutput   = 0
Charset                     = UTF-8
EnabledGzipContent          = 0

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[SPARQL]
; no truncation of results (Debian default: 10000 rows), no timeouts
ResultSetMaxRows           = 0
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = 0
MaxConstructTriples        = 0
DeferInferenceRulesInit    = 1
"""

# SQL run through isql after the first start.  SPARQL_UPDATE lets the
# anonymous /sparql endpoint (SQL user "SPARQL") run SPARQL Update;
# RDF_DEFAULT_USER_PERMS_SET('nobody', 7) gives anonymous read+write on all
# graphs (graph-level security); SPARUL_LOAD etc. are covered by the role.
VIRTUOSO_SETUP_SQL = [
    'GRANT SPARQL_UPDATE TO "SPARQL"',
    "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7)",
    "checkpoint",
]


def _isql(isql: str, sql_port: int, statements, user="dba", password="dba",
          timeout: float = 60.0, ignore=()) -> str:
    script = "".join(s.rstrip().rstrip(";") + ";\n" for s in statements)
    # `isql-vt HOST:PORT UID PWD exec="STMT; STMT;"` runs the statements and
    # exits.  isql exits 0 even when a statement fails, so errors are found
    # by grepping "*** Error" in the output.
    r = subprocess.run(
        [isql, f"{HOST}:{sql_port}", user, password, "VERBOSE=OFF", "BANNER=OFF",
         "PROMPT=OFF", "ECHO=OFF", f"exec={script}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        timeout=timeout, text=True)
    out = r.stdout
    errors = [e for e in out.split("*** Error")[1:]
              if not any(ok in e for ok in ignore)]
    if r.returncode != 0 or errors:
        raise ServerStartError(f"isql failed (rc={r.returncode}): {out}")
    return out


def start_virtuoso(datadir, timeout: float = 90.0, buffers: int = 20000,
                   template: Optional[Path] = None) -> Server:
    """Start ``virtuoso-t -f -c DATADIR/virtuoso.ini`` on two free ports.

    Endpoints: query+update both http://127.0.0.1:PORT/sparql (anonymous,
    SPARQL_UPDATE granted), GSP /sparql-graph-crud.  user/password are the
    DBA credentials (dba/dba) usable with /sparql-auth (HTTP digest) or isql.

    ``template``: a directory holding a virtuoso.db made by an earlier
    start (e.g. a session-scoped cache); it is copied instead of creating a
    new database, which saves the database-creation time.
    """
    virtuoso, isql = _virtuoso_bins()
    if not virtuoso or not isql:
        raise ServerStartError(virtuoso_available()[1])
    datadir = Path(datadir).resolve()
    datadir.mkdir(parents=True, exist_ok=True)
    (datadir / "vsp").mkdir(exist_ok=True)
    fresh = not (datadir / "virtuoso.db").exists()
    if fresh and template is not None and (Path(template) / "virtuoso.db").exists():
        shutil.copy2(Path(template) / "virtuoso.db", datadir / "virtuoso.db")
        fresh = False
    ini = datadir / "virtuoso.ini"
    log = datadir / "virtuoso-stdout.log"
    last_err: Optional[Exception] = None
    for _attempt in range(3):
        sql_port, http_port = _free_ports(2)
        ini.write_text(VIRTUOSO_INI.format(
            d=datadir, host=HOST, sql_port=sql_port, http_port=http_port,
            buffers=buffers, dirty=buffers * 3 // 4))
        (datadir / "virtuoso.lck").unlink(missing_ok=True)
        base = f"http://{HOST}:{http_port}"
        t0 = time.monotonic()
        logf = open(log, "ab")
        proc = subprocess.Popen(
            [virtuoso, "-f", "-c", str(ini)], cwd=datadir,
            stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
        try:
            _wait_http(proc, base + "/sparql?query=" + urllib.parse.quote("ASK{}"),
                       timeout, datadir / "virtuoso.log", "virtuoso-t")
            t_http = time.monotonic() - t0
            # idempotent: on a reused/template database the role is granted
            _isql(isql, sql_port, VIRTUOSO_SETUP_SQL, ignore=("U0013",))
        except (ServerStartError, subprocess.TimeoutExpired) as e:
            _kill(proc)
            logf.close()
            last_err = e
            continue
        return Server(
            name="virtuoso", query_url=base + "/sparql", update_url=base + "/sparql",
            gsp_url=base + "/sparql-graph-crud", user="dba", password="dba",
            process=proc, datadir=datadir, log_path=datadir / "virtuoso.log",
            startup_seconds=time.monotonic() - t0,
            extra={"_logfile": logf, "sql_port": sql_port, "http_port": http_port,
                   "base": base, "isql": isql, "http_ready_seconds": t_http,
                   "fresh_db": fresh,
                   "auth_query_url": base + "/sparql-auth"})
    raise last_err  # type: ignore[misc]


def virtuoso_sql(server: Server, *statements: str) -> str:
    """Run SQL statements on a running start_virtuoso() server via isql."""
    return _isql(server.extra["isql"], server.extra["sql_port"], statements)


# ---------------------------------------------------------------- demo

def _post(url: str, data: dict, accept: str = "application/sparql-results+json") -> bytes:
    body = urllib.parse.urlencode(data).encode()
    req = urllib.request.Request(url, data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read()


def _demo() -> int:
    import json
    import tempfile
    servers = []
    rc = 0
    with tempfile.TemporaryDirectory(prefix="remote-servers-") as tmp:
        try:
            servers.append(start_oxigraph(Path(tmp) / "oxigraph"))
            ok, why = virtuoso_available()
            if ok:
                servers.append(start_virtuoso(Path(tmp) / "virtuoso"))
            else:
                print("virtuoso skipped:", why)
            for s in servers:
                _post(s.update_url, {"update":
                      'INSERT DATA { GRAPH <urn:demo:g> { <urn:demo:s> <urn:demo:p> "Grüße 😀"@de } }'})
                res = json.loads(_post(s.query_url, {"query":
                      "SELECT ?o WHERE { GRAPH <urn:demo:g> { <urn:demo:s> <urn:demo:p> ?o } }"}))
                vals = [b["o"] for b in res["results"]["bindings"]]
                good = vals == [{"type": "literal", "value": "Grüße 😀", "xml:lang": "de"}]
                rc |= 0 if good else 1
                print(f"{s.name:9s} up in {s.startup_seconds:.2f}s  "
                      f"query={s.query_url}  result={vals}  {'OK' if good else 'FAIL'}")
        finally:
            for s in servers:
                s.stop()
    return rc


if __name__ == "__main__":
    sys.exit(_demo())

"""Bounded SPARQL evaluation: queries run in worker processes that are killed at the time limit.

pyoxigraph cannot cancel a running query, and a query may compute for a long time without touching the store
(``VALUES`` cross products, property-path closures), so the only reliable limit is a separate process that is
killed when its time is up (the CPU is freed at once) and replaced in the background.

Workers never open the live store (RocksDB: one writer; opening read-only while another process writes is undefined
behaviour). The process owning the store makes a checkpoint with ``Store.backup`` (consistent and hard-linked, so
cheap) and the workers open that read-only. A write to the store (``store.subscribe``) makes a new checkpoint
(debounced, in the background; a query also checks ``store.generation`` so it always sees every write that finished
before it started); each worker switches to the newest checkpoint with its next query, and checkpoints no worker
holds any more are deleted.

The dataset is always explicit and public: default graph = the union of the public graphs, named graphs = the
public graphs (docs/sparql.md). A protocol dataset (``default-graph-uri``/``named-graph-uri``) or the query's own
``FROM``/``FROM NAMED`` is honoured but intersected with the public graphs, so a private graph's name yields an
empty graph, never its content. ``SERVICE`` calls are allowed only to the endpoints in the setting
``federation_allow``.

Limits: ``query_timeout`` (seconds per query), ``max_rows`` (rows or triples per result; more is refused, see
protocol.py), ``query_workers`` (processes = queries running at once), ``queue_timeout`` (seconds a query waits for
a free worker before the answer is 503).
"""

from __future__ import annotations

import atexit
import gc
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import uuid
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from rdflib.plugins.sparql.parser import parseQuery

from sozialgraph import namespaces as ns
from sozialgraph.sparql import protocol
from sozialgraph.sparql.protocol import ProtocolError
from sozialgraph.errors import StoreError
from sozialgraph.store.base import MERGED

EMPTY_GRAPH = ns.GRAPH + "empty"  # never written: stands for an empty default graph
_UPDATE_RE = re.compile(r"^\s*(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.I)
_PROLOGUE_RE = re.compile(r"^\s*(#[^\n]*|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)", re.I)
DEFAULT_MEMORY_MB = 2048  # address space per query worker (setting query_memory_mb; 0: no cap)
_NEEDS_ANALYSIS_RE = re.compile(r"(?<![?$\w:])(FROM|SERVICE)\b", re.I)


@dataclass
class QueryJob:
    query: str
    formats: dict[str, str] = field(default_factory=lambda: dict(protocol.DEFAULTS))
    default_graphs: list[str] | None = None  # protocol dataset (None: not given)
    named_graphs: list[str] | None = None
    substitutions: dict | None = None  # variable name -> pyoxigraph term
    max_rows: int = 10000
    federation_allow: str = ""
    base_iri: str | None = None  # for relative IRIs in the query: the endpoint's URL


@dataclass
class QueryResult:
    body: bytes
    media_type: str
    rows: int | None
    form: str
    seconds: float = 0.0


# ------------------------------------------------------------------------------------------------------------
# evaluation (in a worker, or in-process as the fallback)


def looks_like_update(text: str) -> bool:
    rest = text
    while True:
        m = _PROLOGUE_RE.match(rest)
        if not m:
            break
        rest = rest[m.end():]
    return bool(_UPDATE_RE.match(rest))


def _analyse(text: str) -> tuple[list[str] | None, list[str] | None, list | None]:
    """FROM, FROM NAMED graphs and SERVICE targets of a query (rdflib's parser); (None, None, None) if it fails."""
    try:
        from rdflib import URIRef
        from rdflib.plugins.sparql import prepareQuery
        from rdflib.plugins.sparql.parserutils import CompValue

        q = prepareQuery(text)
    except Exception:
        return None, None, None
    default: list[str] = []
    named: list[str] = []
    for clause in q.algebra.get("datasetClause") or []:
        if "default" in clause:
            default.append(str(clause["default"]))
        if "named" in clause:
            named.append(str(clause["named"]))
    services: list = []
    seen: set[int] = set()

    def walk(node):
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                t = node.get("term")
                services.append(str(t) if isinstance(t, URIRef) else None)
            for v in node.values():
                walk(v)
        elif isinstance(node, (list, tuple, set)):
            for v in node:
                walk(v)

    walk(q.algebra)
    return (default if q.algebra.get("datasetClause") else None,
            named if q.algebra.get("datasetClause") else None, services)


def _service_allowed(target: str | None, allow: str) -> bool:
    allow = allow.strip()
    if allow == "*":
        return True
    if target is None:
        return False
    return any(target.startswith(p.strip()) for p in allow.split(",") if p.strip())


def _public(graphs: list[str]) -> list[ox.NamedNode]:
    return [ox.NamedNode(g) for g in graphs if ns.is_public_graph(g) and g != MERGED]


def evaluate(store, public_graphs: list[str], job: QueryJob, timeout: float = 30.0) -> QueryResult:
    """Run one query with a public-only dataset on a pyoxigraph store (a checkpoint in a worker) or on a remote
    store; ProtocolError for anything refused. Nothing is evaluated before every check has passed."""
    t0 = time.perf_counter()
    remote = not isinstance(store, ox.Store)
    if remote:
        # A remote server would run whatever it is sent (an update, a vendor pragma such as Virtuoso's `define`):
        # only text that parses as a SPARQL 1.1 query goes there. rdflib's parser checks without evaluating.
        try:
            parseQuery(job.query)
        except Exception as exc:
            raise _syntax_error(job.query, SyntaxError(str(exc).splitlines()[0] if str(exc) else "invalid")) from None
    # the default graph is the public merge (each triple once), the named graphs are the public graphs
    default_g: list[ox.NamedNode] | None = [ox.NamedNode(MERGED)]
    named_g: list[ox.NamedNode] | None = _public(public_graphs)
    if job.default_graphs is not None or job.named_graphs is not None:  # protocol dataset beats FROM
        default_g = _public(job.default_graphs or [])
        named_g = _public(job.named_graphs or [])
    if _NEEDS_ANALYSIS_RE.search(job.query):
        from_default, from_named, services = _analyse(job.query)
        if services is None and re.search(r"\bSERVICE\b", job.query, re.I) and job.federation_allow.strip() != "*":
            raise ProtocolError(403, "SERVICE-Aufrufe konnten nicht geprüft werden und sind daher nicht erlaubt.",
                                "SERVICE calls could not be checked and are therefore not allowed.")
        for target in services or []:
            if not _service_allowed(target, job.federation_allow):
                shown = target or "?variable"
                raise ProtocolError(
                    403, f"SERVICE <{shown}> ist an diesem Endpunkt nicht erlaubt (Einstellung federation_allow).",
                    f"SERVICE <{shown}> is not allowed at this endpoint (setting federation_allow).")
        if remote and any(not ns.is_public_graph(g) for g in (from_default or []) + (from_named or [])):
            # some servers (Virtuoso) let FROM win over the protocol dataset: never send a private graph's name
            raise ProtocolError(403, "FROM nennt einen nicht öffentlichen Graphen; dieser Endpunkt zeigt nur "
                                     "öffentliche Graphen.",
                                "FROM names a graph that is not public; this endpoint shows public graphs only.")
        if job.default_graphs is None and job.named_graphs is None and from_default is not None:
            default_g = _public(from_default)
            named_g = _public(from_named or [])
    try:
        if isinstance(store, ox.Store):
            kwargs: dict = {"default_graph": default_g or [ox.NamedNode(EMPTY_GRAPH)], "named_graphs": named_g,
                            "base_iri": job.base_iri}
            if job.substitutions:
                kwargs["substitutions"] = {ox.Variable(k): v for k, v in job.substitutions.items()}
            result = store.query(job.query, **kwargs)
        else:  # a remote store: the same dataset, sent with the query; the time limit is the request's
            text = (f"BASE <{job.base_iri}>\n" if job.base_iri else "") + job.query
            result = store.query(text, default_graph=[g.value for g in default_g or [ox.NamedNode(EMPTY_GRAPH)]],
                                 named_graphs=[g.value for g in named_g], timeout=timeout)
    except SyntaxError as exc:
        raise _syntax_error(job.query, exc) from None
    except (ProtocolError, MemoryError):
        raise
    except StoreError as exc:
        if exc.status == 504:
            raise ProtocolError(503, f"Die Abfrage wurde nach {timeout:g} s abgebrochen (Zeitlimit, Einstellung "
                                     f"query_timeout).",
                                f"The query was stopped after {timeout:g} s (time limit, setting query_timeout)."
                                ) from None
        raise ProtocolError(502, exc.de, exc.en) from None
    except Exception as exc:  # ASK is evaluated at once: a failing SERVICE call surfaces here
        raise _evaluation_error(job.query, exc) from None
    error: ProtocolError | None = None
    try:
        body, media, rows, form = protocol.serialize(result, job.formats, job.max_rows)
    except ProtocolError as exc:
        error = ProtocolError(exc.status, exc.de, exc.en, exc.headers)
    except MemoryError:
        raise
    except Exception as exc:  # evaluation errors surface while serialising (e.g. a failing SERVICE)
        error = _evaluation_error(job.query, exc)
    finally:
        # pyoxigraph result objects must be dropped by the thread that made them: no reference may travel on
        # in a traceback to the thread that later collects it
        del result
    if error is not None:
        raise error
    return QueryResult(body, media, rows, form, time.perf_counter() - t0)


def _evaluation_error(text: str, exc: Exception) -> ProtocolError:
    """An error while evaluating: a SERVICE endpoint that failed is the remote's fault (502, never 500)."""
    if re.search(r"\bSERVICE\b", text, re.I):
        return ProtocolError(502, f"Ein SERVICE-Endpunkt der Abfrage hat nicht oder fehlerhaft geantwortet: {exc}",
                             f"A SERVICE endpoint of the query did not answer or answered wrongly: {exc}")
    return ProtocolError(500, f"Fehler bei der Auswertung der Abfrage: {exc}", f"Error while evaluating the query: {exc}")


def _syntax_error(text: str, exc: SyntaxError) -> ProtocolError:
    if looks_like_update(text):
        return ProtocolError(403, "Dieser Endpunkt ist schreibgeschützt: SPARQL Update ist nicht erlaubt. Daten "
                                  "ändern sich nur durch Einreichungen.",
                             "This endpoint is read-only: SPARQL Update is not allowed. Data changes only "
                             "through submissions.")
    return ProtocolError(400, f"Syntaxfehler in der Abfrage: {exc}", f"Syntax error in the query: {exc}")


def memory_error(cap_mb: int) -> ProtocolError:
    return ProtocolError(
        503, f"Die Abfrage braucht mehr Arbeitsspeicher als erlaubt ({cap_mb} MiB je Abfrageprozess, Einstellung "
             f"query_memory_mb) und wurde abgebrochen. Bitte die Abfrage einschränken (LIMIT, genauere Muster).",
        f"The query needs more memory than allowed ({cap_mb} MiB per query process, setting query_memory_mb) and "
        f"was stopped. Narrow the query (LIMIT, more specific patterns).")


def _limit_memory(cap_mb: int) -> None:
    """Cap the address space of this (worker) process; an allocation beyond fails (MemoryError or abort)."""
    if cap_mb <= 0:
        return
    import resource

    cap = cap_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _worker_main(conn, cap_mb: int = 0) -> None:
    """Loop of a worker process: receive (checkpoint, job), answer ("ok", QueryResult), ("error", ...) or
    ("memory", ...) (over the memory cap: the worker ends after that answer and is replaced)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _limit_memory(cap_mb)
    store = None
    path = None
    public: list[str] = []
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            break
        if msg is None:
            break
        ckpt, job = msg
        try:
            if ckpt != path:
                store = None
                gc.collect()
                store = ox.Store.read_only(ckpt)
                path = ckpt
                public = sorted(g.value for g in store.named_graphs()
                                if isinstance(g, ox.NamedNode) and ns.is_public_graph(g.value))
            reply = ("ok", evaluate(store, public, job))
        except MemoryError:
            store = None
            gc.collect()
            exc = memory_error(cap_mb)
            try:
                conn.send(("memory", (exc.status, exc.de, exc.en, exc.headers)))
            except (OSError, EOFError, MemoryError):
                pass
            break
        except ProtocolError as exc:
            reply = ("error", (exc.status, exc.de, exc.en, exc.headers))
        except Exception as exc:  # never a traceback to the client; keep it in the server log
            traceback.print_exc(file=sys.stderr)
            reply = ("error", (500, f"Interner Fehler bei der Auswertung: {type(exc).__name__}",
                               f"Internal error while evaluating: {type(exc).__name__}", {}))
        try:
            conn.send(reply)
        except (OSError, EOFError):
            break


# ------------------------------------------------------------------------------------------------------------
# the pool (in the process that owns the store)


class _Slot:
    """One worker: a fresh interpreter (`python -m sozialgraph.sparql.pool FD MEMORY_MB`) talking over a socket pair. A plain
    subprocess rather than multiprocessing, so it works the same under gunicorn, pytest and any script."""

    def __init__(self, memory_mb: int = 0):
        ours, theirs = socket.socketpair()
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", __name__, str(theirs.fileno()), str(memory_mb)],
                                         pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, close_fds=True)
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())
        self.held: set[str] = set()
        self.lane: queue.Queue | None = None  # the queue of idle workers it returns to (general or fast lane)

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.conn.close()


_POOLS: "weakref.WeakSet[SparqlPool]" = weakref.WeakSet()


def _close_all() -> None:
    for pool in list(_POOLS):
        pool.close()


atexit.register(_close_all)


class SparqlPool:
    """Worker processes over checkpoints of ``store``; ``run(job)`` returns a QueryResult or raises
    ProtocolError (time limit, busy, syntax, refused, row cap)."""

    def __init__(self, store, settings: dict):
        self.store = store
        self.timeout = float(settings["query_timeout"])
        self.size = max(0, int(settings["query_workers"]))
        self.queue_timeout = float(settings["queue_timeout"])
        self.max_rows = int(settings["max_rows"])
        self.federation_allow = str(settings.get("federation_allow") or "")
        self.memory_mb = int(settings.get("query_memory_mb", DEFAULT_MEMORY_MB) or 0)
        # the fast lane: every query starts in one of query_fast_workers processes of its own; one that needs
        # longer than query_fast_seconds moves on to the general lane (see _on), so cheap queries are answered in
        # normal time while expensive ones occupy the general workers
        self.fast_size = max(0, int(settings.get("query_fast_workers", 1) or 0)) if self.size else 0
        self.fast_seconds = float(settings.get("query_fast_seconds", 1.0) or 0)
        if self.fast_seconds <= 0:
            self.fast_size = 0
        self._fast: queue.Queue[_Slot] = queue.Queue()
        self.promoted = 0  # queries that moved on from the fast lane to the general lane (for tests and the log)
        self._slow: OrderedDict[str, None] = OrderedDict()  # query texts that outgrew the fast lane (LRU)
        self.requeued = 0  # ... that were stopped there and run again in a general worker (none was free)
        self.in_process = self.size == 0 or getattr(store, "path", None) is None
        base = settings.get("checkpoint_dir") or (f"{store.path}-checkpoints" if not self.in_process else "")
        self.root = Path(base) / f"{os.getpid()}-{uuid.uuid4().hex[:8]}" if base else None
        self._idle: queue.Queue[_Slot] = queue.Queue()
        self._slots: list[_Slot] = []
        self._lock = threading.RLock()
        self._ckpt_lock = threading.Lock()
        self._ckpt: str | None = None
        self._ckpt_gen = -1
        self._refresh_pending = False
        self._started = False
        self.closed = False
        self.killed = 0  # queries stopped at the time limit (for tests and the log)
        if not self.in_process:
            store.subscribe(self._on_write)
        _POOLS.add(self)

    # -- lifecycle ---------------------------------------------------------------------------------------
    def start(self) -> None:
        with self._lock:
            if self._started or self.in_process or self.closed:
                return
            self._started = True
            if self.root is not None:
                remove_stale_checkpoints(self.root.parent)
            self._checkpoint()
            for _ in range(self.size):
                self._add_slot(self._idle)
            for _ in range(self.fast_size):
                self._add_slot(self._fast)

    def _add_slot(self, lane: "queue.Queue[_Slot]") -> None:
        slot = _Slot(self.memory_mb)
        slot.lane = lane
        with self._lock:
            if self.closed:
                slot.kill()
                return
            self._slots.append(slot)
        lane.put(slot)

    def _replace(self, slot: _Slot) -> None:
        slot.kill()
        with self._lock:
            if slot in self._slots:
                self._slots.remove(slot)
            closed = self.closed
        if not closed:
            threading.Thread(target=self._add_slot, args=(slot.lane,), daemon=True).start()

    def close(self) -> None:
        with self._lock:
            if self.closed:
                return
            self.closed = True
            slots, self._slots = self._slots, []
        self.store.unsubscribe(self._on_write)
        for slot in slots:
            try:
                slot.conn.send(None)
            except (OSError, ValueError):
                pass
        for slot in slots:
            try:
                slot.proc.wait(2)
            except subprocess.TimeoutExpired:
                pass
            slot.kill()
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)

    # -- checkpoints -------------------------------------------------------------------------------------
    def _on_write(self, _store) -> None:
        if not self._started or self._refresh_pending:
            return
        self._refresh_pending = True

        def refresh():
            time.sleep(0.05)  # let a burst of writes finish
            self._refresh_pending = False
            try:
                if not self.closed:
                    self._checkpoint()
            except Exception:
                traceback.print_exc(file=sys.stderr)

        threading.Thread(target=refresh, daemon=True).start()

    def _checkpoint(self) -> str:
        with self._ckpt_lock:
            gen = self.store.generation
            if self._ckpt is not None and gen == self._ckpt_gen:
                return self._ckpt
            self.root.mkdir(parents=True, exist_ok=True)
            path = self.root / f"g{gen}-{uuid.uuid4().hex[:6]}"
            self.store.checkpoint(path)
            _prune(path)
            self._ckpt, self._ckpt_gen = str(path), gen
            self._cleanup()
            return self._ckpt

    def _cleanup(self) -> None:
        with self._lock:
            held = {self._ckpt}.union(*(s.held for s in self._slots))
        for p in self.root.iterdir():
            if str(p) not in held:
                shutil.rmtree(p, ignore_errors=True)

    def checkpoints(self) -> list[str]:
        return sorted(str(p) for p in self.root.iterdir()) if self.root and self.root.exists() else []

    # -- running -----------------------------------------------------------------------------------------
    def job(self, query: str, **kwargs) -> QueryJob:
        kwargs.setdefault("max_rows", self.max_rows)
        kwargs.setdefault("federation_allow", self.federation_allow)
        return QueryJob(query, **kwargs)

    def run(self, job: QueryJob) -> QueryResult:
        if self.closed:
            raise ProtocolError(503, "Der Abfragedienst wird beendet.", "The query service is shutting down.")
        if self.in_process:
            native = getattr(self.store, "native", None)
            return evaluate(native if native is not None else self.store, self.store.public_graphs(), job,
                            self.timeout)
        self.start()
        ckpt = self._checkpoint()
        if self.fast_size and not self._known_slow(job):
            try:
                slot = self._fast.get(timeout=self.fast_seconds)
            except queue.Empty:
                slot = None  # the fast lane is busy: straight to the general lane
            if slot is not None:
                return self._on(slot, ckpt, job, promote=True)
        try:
            slot = self._idle.get(timeout=self.queue_timeout)
        except queue.Empty:
            raise self._busy() from None
        return self._on(slot, ckpt, job)

    def _known_slow(self, job: QueryJob) -> bool:
        """A query text that outgrew the fast lane before skips it (clients repeat their queries)."""
        with self._lock:
            return job.query in self._slow

    def _remember_slow(self, job: QueryJob) -> None:
        with self._lock:
            self._slow[job.query] = None
            self._slow.move_to_end(job.query)
            while len(self._slow) > 1000:
                self._slow.popitem(last=False)

    def _busy(self) -> ProtocolError:
        return ProtocolError(
            503, f"Alle {self.size} Abfrageplätze sind belegt (Einstellungen query_workers, queue_timeout). "
                 f"Bitte gleich noch einmal versuchen.",
            f"All {self.size} query workers are busy (settings query_workers, queue_timeout). Please retry "
            f"shortly.", {"Retry-After": "5"})

    def _on(self, slot: _Slot, ckpt: str, job: QueryJob, promote: bool = False):
        """Run ``job`` on ``slot`` within the time limit. With ``promote`` (a fast-lane worker) the query has
        query_fast_seconds there; if it needs longer, it goes on in the same worker, which joins the general lane,
        while an idle general worker takes its place in the fast lane (no work lost, the fast lane free at once);
        with no general worker idle it is stopped there (the fast lane freed) and run again in the next general
        worker that frees up within queue_timeout, else 503 (busy)."""
        with self._lock:
            slot.held.add(ckpt)
        kind = None
        try:
            slot.conn.send((ckpt, job))
            t0 = time.monotonic()
            ready = slot.conn.poll(self.fast_seconds if promote else self.timeout)
            if not ready and promote:
                self._remember_slow(job)
                try:
                    other = self._idle.get_nowait()
                except queue.Empty:
                    # no general worker free: the fast lane must not wait with it; stop the query there, wait for
                    # a general worker (queue_timeout) and run it again in that one
                    self._replace(slot)
                    slot = None
                    self.requeued += 1
                    try:
                        general = self._idle.get(timeout=self.queue_timeout)
                    except queue.Empty:
                        raise self._busy() from None
                    return self._on(general, ckpt, job)
                other.lane, slot.lane = self._fast, self._idle
                self._fast.put(other)
                self.promoted += 1
                ready = slot.conn.poll(max(0.0, self.timeout - (time.monotonic() - t0)))
            if not ready:
                self._replace(slot)
                slot = None
                self.killed += 1
                t = f"{self.timeout:g}"
                raise ProtocolError(
                    503, f"Die Abfrage wurde nach {t} s abgebrochen (Zeitlimit, Einstellung query_timeout).",
                    f"The query was stopped after {t} s (time limit, setting query_timeout).")
            kind, payload = slot.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            code = None
            if slot is not None:
                try:
                    code = slot.proc.wait(2)
                except subprocess.TimeoutExpired:
                    pass
                self._replace(slot)
                slot = None
            if self.memory_mb > 0 and code is not None and code != 0:
                # ended by an allocation beyond RLIMIT_AS (Rust aborts: SIGABRT) or by the kernel's OOM killer
                raise memory_error(self.memory_mb) from None
            raise ProtocolError(500, "Der Abfrageprozess ist unerwartet beendet worden.",
                                "The query process ended unexpectedly.") from None
        finally:
            if slot is not None and not slot.conn.closed:
                if kind == "memory":  # the worker ends after this answer
                    self._replace(slot)
                else:
                    with self._lock:
                        slot.held = {ckpt}
                    slot.lane.put(slot)
        if kind in ("error", "memory"):
            raise ProtocolError(*payload)
        return payload


def _prune(path: Path) -> None:
    """Remove the private graphs (and the unused default graph) from a fresh checkpoint before any worker opens
    it: the workers can then not read private data at all, and may use the fast union default graph. The cost
    grows with the private data (versions); it is paid once per write, not per query.

    Runs in a fresh interpreter: the server process is a fork (gunicorn), and RocksDB cannot open another
    database in a forked process (its background threads did not survive the fork)."""
    subprocess.run([sys.executable, "-m", "sozialgraph.store.oxigraph", "--prune", str(path)], check=True,
                   stdin=subprocess.DEVNULL)


_STALE_RE = re.compile(r"^(\d+)-[0-9a-f]{8}$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, another user's
        return True
    return True


def remove_stale_checkpoints(base: Path) -> list[str]:
    """Delete checkpoint folders ``<pid>-<hex>`` in ``base`` whose process is gone (a server that was killed
    could not clean up); returns what was removed."""
    removed: list[str] = []
    try:
        entries = list(base.iterdir())
    except OSError:
        return removed
    for p in entries:
        m = _STALE_RE.match(p.name)
        if m and p.is_dir() and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1))):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(str(p))
    return removed


def get_pool(store, settings: dict) -> SparqlPool:
    """A pool for a store outside the web app (CLI, scripts); close() it when done."""
    return SparqlPool(store, settings)


if __name__ == "__main__":  # a worker process (started by _Slot)
    from sozialgraph.sparql import pool as _pool  # the package's classes, not __main__'s

    _pool._worker_main(Connection(int(sys.argv[1])), int(sys.argv[2]) if len(sys.argv) > 2 else 0)

"""A sweep on a two-node Ray cluster, as docs/CLUSTER.md sets one up: ``hydra/launcher=ray``
pointed at an existing cluster spreads the conditions over both nodes and writes the same
results as the basic launcher; losing a node mid-sweep loses nothing once the sweep is rerun
with the same ``sweep_dir``.

The test starts its own cluster on this machine: a head node at 127.0.0.2 and a second node at
127.0.0.3 (``ray start --address``, one CPU each, the second with its own ``node2`` resource),
both loopback addresses, so no traffic leaves the machine (usage statistics off, token
authentication on). The kernels are compiled once into a Numba cache both nodes read through
Ray's ``runtime_env``, and no node compiles anything. Every process the test starts carries a
marker in its environment; at the end, even after a failure, each of them is stopped by its
process id. Slow (about three minutes). A quick test checks that the commands in CLUSTER.md
pass copsim's checks.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("hydra_plugins.hydra_ray_launcher")
pytest.importorskip("ray")

BIN = Path(sys.executable).parent
SRC = Path(__file__).resolve().parents[1] / "src"
HEAD_IP, NODE2_IP = "127.0.0.2", "127.0.0.3"
#: 10 coordinator x sponsorship conditions plus the baseline, each a few seconds
SWEEP = [
    "+experiment=coordinator_sponsorship",
    "scenario=safecities",
    "coordinator.fte=0,0.25,0.5,0.75,1",
    "sponsor.level=0,1",
    "horizon_weeks=520",
    "world.n_practitioners=120",
    "world.n_organizations=12",
    "replicates=2",
]
CONDITIONS = 11
COMPARED = ("runs.parquet", "timeseries.parquet", "conditions.csv")
#: CLUSTER.md's warm-up: one short run compiles every kernel into NUMBA_CACHE_DIR
WARM_UP = "import copsim; copsim.simulate(copsim.load_config('safecities', ['horizon_weeks=52']))"
#: Ray's state API, asked in a process of its own (Ray reads the token settings on import)
STATE = """
import json, sys
from ray.util.state import list_nodes, list_tasks
nodes = list_nodes(address=sys.argv[1])
tasks = list_tasks(address=sys.argv[1], detail=True, limit=10000) if sys.argv[2:] else []
print(json.dumps({
    "nodes": {n.node_id: [n.node_ip, n.state] for n in nodes},
    "tasks": [[t.name, t.node_id, t.worker_pid, t.state] for t in tasks],
}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    """A Ray cluster of processes this test started, each stopped by process id."""

    temp: Path
    env: dict[str, str]
    marker: str
    port: int = field(default_factory=free_port)
    nodes: dict[str, subprocess.Popen] = field(default_factory=dict)
    running: set[str] = field(default_factory=set)
    warm: dict[str, int] = field(default_factory=dict)

    @property
    def shared_cache(self) -> Path:
        return Path(self.env["NUMBA_CACHE_DIR"])

    @property
    def address(self) -> str:
        return f"{HEAD_IP}:{self.port}"

    def start(self, name: str, *args: str) -> None:
        """``ray start --block ARGS`` in a session of its own, with a Numba cache of its own
        (``numba-NAME``, empty: a job that compiled the kernels would leave files there)."""
        log = self.temp / f"{name}.log"
        env = {**self.env, "NUMBA_CACHE_DIR": str(self.temp / f"numba-{name}")}
        command = [str(BIN / "ray"), "start", "--block", "--disable-usage-stats", "--num-cpus=1", *args]
        with log.open("w") as out:  # the child keeps its own copy of the descriptor
            self.nodes[name] = subprocess.Popen(
                command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.running.add(name)

    def state(self, tasks: bool = False) -> dict:
        """Ray's state API: ``nodes`` (id -> [IP, state]) and, with ``tasks``, every task as
        [name, node id, worker pid, state]. Raises CalledProcessError while the head starts."""
        command = [sys.executable, "-c", STATE, self.address, *(["tasks"] if tasks else [])]
        done = subprocess.run(command, env=self.env, capture_output=True, text=True, check=True, timeout=120)
        return json.loads(done.stdout)

    def alive_nodes(self) -> dict[str, str]:
        """Node id -> IP of the nodes Ray counts as alive (empty while the head is starting)."""
        try:
            nodes = self.state()["nodes"]
        except subprocess.CalledProcessError:  # the head's API server is not up yet
            return {}
        return {node: ip for node, (ip, status) in nodes.items() if status == "ALIVE"}

    def wait_for(self, ips: set[str], timeout: float = 120) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self.nodes.items():
                if proc.poll() is not None and name in self.running:
                    raise RuntimeError(f"ray node {name} exited: {(self.temp / f'{name}.log').read_text()}")
            alive = self.alive_nodes()
            if set(alive.values()) == ips:
                return alive
            time.sleep(1)
        raise TimeoutError(f"Ray nodes {sorted(ips)} not up within {timeout} s")

    def ours(self) -> list[int]:
        """Process ids of every process carrying this cluster's marker (ours and their children)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) != os.getpid():
                try:
                    if self.marker.encode() in (entry / "environ").read_bytes():
                        pids.append(int(entry.name))
                except OSError:  # gone, or not ours to read
                    continue
        return pids

    def kill_node(self, name: str) -> None:
        """A lost machine: every process of node ``name`` (its ``ray start`` and all that came
        from it: raylet, agents, workers) killed at once."""
        proc = self.nodes[name]
        for pid in [proc.pid, *descendants(proc.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=30)
        self.running.discard(name)

    def stop(self) -> None:
        """Stop the nodes (SIGTERM to each ``ray start``, then SIGKILL to its group), then any
        process left with the marker, by id."""
        for proc in self.nodes.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in self.nodes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        for _ in range(20):
            left = self.ours()
            if not left:
                return
            for pid in left:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.5)
        raise RuntimeError(f"Ray processes {left} outlived the test")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    temp = Path(tempfile.mkdtemp(prefix="copsim-ray-", dir="/tmp"))  # short: Ray's socket paths
    marker = f"copsim-ray-test-{secrets.token_hex(8)}"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])),
        "COPSIM_RAY_TEST": marker,
        "RAY_USAGE_STATS_ENABLED": "0",
        "RAY_AUTH_MODE": "token",
        "RAY_AUTH_TOKEN": secrets.token_hex(32),
        "NUMBA_CACHE_DIR": str(temp / "numba-shared"),  # the "shared filesystem" cache
    }
    c = Cluster(temp, env, marker)
    head = [
        "--head",
        f"--node-ip-address={HEAD_IP}",
        f"--port={c.port}",
        f"--temp-dir={temp}",
        "--object-store-memory=100000000",
        f"--ray-client-server-port={free_port()}",
        f"--dashboard-port={free_port()}",  # the state API below reads the dashboard (127.0.0.1)
        f"--dashboard-agent-listen-port={free_port()}",
        '--resources={"head": 1}',
    ]
    second = [
        f"--address={c.address}",
        f"--node-ip-address={NODE2_IP}",
        "--object-store-memory=100000000",
        f"--dashboard-agent-listen-port={free_port()}",
        '--resources={"node2": 1}',
    ]
    try:
        warm = [sys.executable, "-c", WARM_UP]  # compile the kernels once, into the shared cache
        subprocess.run(warm, env=env, check=True, capture_output=True, timeout=600)
        c.warm = cache_files(c.shared_cache)
        c.start("head", *head)
        c.wait_for({HEAD_IP})
        c.start("node2", *second)
        c.wait_for({HEAD_IP, NODE2_IP})
        yield c
    finally:
        c.stop()
        shutil.rmtree(temp, ignore_errors=True)


def start_copsim_run(cluster: Cluster, *args: str) -> subprocess.Popen:
    """``copsim-run -m SWEEP ARGS`` as a user would type it, in a process group of its own."""
    return subprocess.Popen(
        [str(BIN / "copsim-run"), "-m", *SWEEP, *args],
        env=cluster.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def finish(proc: subprocess.Popen, timeout: float = 300) -> subprocess.CompletedProcess:
    """Wait for a ``copsim-run``; kill its process group if it outlives ``timeout``."""
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def copsim_run(cluster: Cluster, *args: str) -> subprocess.CompletedProcess:
    return finish(start_copsim_run(cluster, *args))


def on_ray(cluster: Cluster, sweep_dir: Path, *extra: str) -> list[str]:
    """The Ray launcher pointed at the running cluster (CLUSTER.md's command line)."""
    runtime_env = f"{{env_vars: {{NUMBA_CACHE_DIR: '{cluster.shared_cache}'}}}}"
    return [
        f"sweep_dir={sweep_dir}",
        "hydra/launcher=ray",
        f"hydra.launcher.ray.init.address={cluster.address}",
        "+hydra.launcher.ray.init.object_store_memory=null",  # the launcher's default is refused
        # every job loads the kernels from the shared cache instead of compiling them
        f"+hydra.launcher.ray.init.runtime_env={runtime_env}",
        *extra,
    ]


def assert_same_results(a: Path, b: Path) -> None:
    for name in COMPARED:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def condition_records(sweep_dir: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(sweep_dir.glob("conditions/*/condition.json"))]


@pytest.fixture(scope="module")
def reference(cluster: Cluster, tmp_path_factory) -> Path:
    """The same sweep with the basic launcher (in one process, no Ray)."""
    out = tmp_path_factory.mktemp("basic") / "sweep"
    done = copsim_run(cluster, f"sweep_dir={out}")
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_a_sweep_spreads_over_both_nodes_with_the_basic_launchers_results(cluster, reference, tmp_path):
    out = tmp_path / "sweep"
    done = copsim_run(cluster, *on_ray(cluster, out))
    assert done.returncode == 0, done.stderr
    assert f"{CONDITIONS} conditions complete" in done.stderr
    assert_same_results(reference, out)

    # Ray's own record of where each job ran, matched to the process each condition names
    ray_state = cluster.state(tasks=True)
    ips = {node: ip for node, (ip, _) in ray_state["nodes"].items()}
    ran_on = {pid: ips[node] for name, node, pid, status in ray_state["tasks"] if name == "_run_job"}
    records = condition_records(out)
    placed = [ran_on[r["pid"]] for r in records]
    print("conditions per node:", pd.Series(placed).value_counts().to_dict())
    assert set(placed) == {HEAD_IP, NODE2_IP}
    assert os.getpid() not in {r["pid"] for r in records}
    # no node compiled anything: the shared cache is as warmed, the nodes' own caches are empty
    assert cluster.warm and cache_files(cluster.shared_cache) == cluster.warm
    assert cache_files(cluster.temp / "numba-head") == cache_files(cluster.temp / "numba-node2") == {}


def cache_files(directory: Path) -> dict[str, int]:
    """Numba's cache files under ``directory``, with their modification times."""
    return {str(p.relative_to(directory)): p.stat().st_mtime_ns for p in directory.rglob("*.nb?")}


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_losing_the_second_node_mid_sweep_then_resuming_loses_nothing(cluster, reference, tmp_path):
    out = tmp_path / "sweep"
    node2 = cluster.nodes["node2"]
    # Ray retries a task lost with its node up to 3 times; with retries off the loss reaches
    # copsim, and the rerun with the same sweep_dir has to make it good.
    proc = start_copsim_run(cluster, *on_ray(cluster, out, "+hydra.launcher.ray.remote.max_retries=0"))
    deadline = time.monotonic() + 180
    try:
        while not running_a_job(node2.pid):  # a job is under way on the second node
            assert proc.poll() is None, "the sweep ended before the second node ran a job"
            assert time.monotonic() < deadline, "no job reached the second node"
            time.sleep(0.05)
        cluster.kill_node("node2")
    finally:
        err = finish(proc).stderr
    print(
        "first session:", *[line for line in err.splitlines() if "Error" in line][-1:], *err.splitlines()[-2:]
    )
    assert proc.returncode == 1 and "did not finish" in err
    complete = {
        p: p.stat().st_mtime_ns
        for p in out.glob("conditions/*/condition.json")
        if json.loads(p.read_text())["status"] == "complete"
    }
    assert len(complete) < CONDITIONS  # the job on the lost node, at least, is missing

    cluster.wait_for({HEAD_IP})  # Ray has noticed the loss
    done = copsim_run(cluster, *on_ray(cluster, out))
    print("resumed:", done.stderr.strip().splitlines()[0], done.stderr.strip().splitlines()[-1], sep="\n")
    assert done.returncode == 0, done.stderr
    if complete:
        assert f"({len(complete)} already complete, skipped)" in done.stderr
    assert {p: p.stat().st_mtime_ns for p in complete} == complete  # kept, not rerun
    assert_same_results(reference, out)


def descendants(root: int) -> list[int]:
    """Process ids of every descendant of ``root`` (Ray workers run in process groups of their
    own, so the group of a node's ``ray start`` does not hold them; its descendants do)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def running_a_job(leader: int) -> bool:
    """Whether the node whose ``ray start`` is ``leader`` runs a sweep job now (Ray titles a
    worker ``ray::_run_job`` while it runs that task)."""
    for pid in descendants(leader):
        with contextlib.suppress(OSError):
            if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"ray::_run_job"):
                return True
    return False


def cluster_md_commands() -> list[list[str]]:
    """The ``copsim-run`` commands of docs/CLUSTER.md, as their arguments (without ``-m``)."""
    text = (SRC.parent / "docs" / "CLUSTER.md").read_text()
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL):
        line = block.replace("\\\n", " ")
        for command in line.splitlines():
            if command.lstrip().startswith("copsim-run"):
                words = shlex.split(
                    command.replace("$NUMBA_CACHE_DIR", "/shared/numba").replace("$USER", "me")
                )
                commands.append([w for w in words[1:] if w != "-m"])
    return commands


def test_the_commands_in_cluster_md_compose():
    """Every sweep command CLUSTER.md shows passes copsim's own checks of the sweep and of
    Hydra's launcher settings (what copsim-run does before it launches anything)."""
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher")
    from copsim.experiments.plan import expand

    commands = cluster_md_commands()
    launchers = {a for c in commands for a in c if a.startswith("hydra/launcher=")}
    assert launchers == {"hydra/launcher=ray", "hydra/launcher=submitit_slurm"}
    for args in commands:
        plan = expand(args)  # composes the sweep with its launcher settings, as copsim-run does
        assert plan.launcher["choice"] in ("ray", "submitit_slurm")

"""The synthesized Glue jobs as an executable contract.

`streamsoft infra synth` (the real CLI) writes the Terraform JSON and stages what Terraform uploads. For
every `aws_glue_job` this test takes exactly its `script_location` and `default_arguments`, and:

- checks that every artifact they name is staged: the script, the `--extra-py-files` zip, the wheels of
  `--additional-python-modules`, the jars of `--extra-jars`;
- feeds the arguments to the job's own parser (the entry script's `main`, stopped where Spark would start);
- runs bronze (available-now, from Kinesis), silver and gold the way Glue would (glue_runner.py: the
  staged script as `__main__`, the staged zip as the only source of the package, only the modules Glue
  6.0 provides plus the staged wheels importable), against local stand-ins.

What differs from AWS, and nothing else (`localize`):
1. an `s3://<bucket>/<key>` location: an object synth uploads is its staged file; any other location
   (lake, checkpoints, TempDir) is `<root>/<bucket>/<key>`;
2. a Terraform reference that `terraform apply` resolves (`${aws_kinesis_stream.….name}`) is the local
   stand-in's value;
3. the registry's Cloud Map name (`registry.<env>.internal:8080`) resolves to a local Apicurio (the registry
   the stack deploys), and the AWS endpoints Glue reaches through VPC endpoints are the stand-ins'
   (`--kinesis-endpoint`, `--cloudwatch-endpoint`); the streaming job runs with `--available-now` so that
   it ends.
The MSK bronze query authenticates with IAM, which no local broker offers: its arguments are parsed, not
run (the Kafka path runs in test_bronze_two_sources.py with the same parser).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from deltalake import DeltaTable

from apicurio_server import ApicurioRegistry
from kinesalite_server import Kinesalite, put_all
from trade_frames import SCHEMAS, V2_ID, frame, trade

REPO_ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("glue_runner.py")
S3_URI = re.compile(r"^s3://(\$\{[^}]+\}|[^/]+)/(.*)$")
REFERENCE = re.compile(r"\$\{([^}]+)\}")
CLOUD_MAP_REGISTRY = re.compile(r"^http://registry\.[a-z0-9-]+\.internal:8080")


class Synth:
    def __init__(self, out: Path) -> None:
        result = json.loads(out.joinpath("result.json").read_text())
        self.stack_dir = Path(result["directory"])
        self.doc = json.loads((self.stack_dir / "cdk.tf.json").read_text())
        self.objects = {
            (o["bucket"], o["key"]): self.stack_dir / o["source"]
            for o in self.doc["resource"]["aws_s3_object"].values()
        }

    def jobs(self) -> dict[str, dict[str, Any]]:
        return {job["name"]: job for job in self.doc["resource"]["aws_glue_job"].values()}

    def staged(self, uri: str) -> Path | None:
        """The staged file of an s3:// URI that synth uploads, or None."""
        match = S3_URI.match(uri)
        return None if match is None else self.objects.get((match.group(1), match.group(2)))


def synthesize(out: Path, *flags: str) -> Synth:
    completed = subprocess.run(
        ["node", str(REPO_ROOT / "bin" / "streamsoft.js"), "infra", "synth", "--out", str(out / "tf"), "--json", *flags],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    out.joinpath("result.json").write_text(completed.stdout)
    return Synth(out)


@pytest.fixture(scope="module")
def msk_jar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The operator's aws-msk-iam-auth jar; synth uploads a local one. Its content does not matter here.
    jar = tmp_path_factory.mktemp("jars") / "aws-msk-iam-auth-2.3.2-all.jar"
    jar.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    return jar


@pytest.fixture(scope="module")
def synth_both(tmp_path_factory: pytest.TempPathFactory, msk_jar: Path) -> Synth:
    return synthesize(tmp_path_factory.mktemp("synth-both"), "--transport", "both", "--msk-iam-auth-jar", str(msk_jar))


@pytest.fixture(scope="module")
def synth_kinesis(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synthesize(tmp_path_factory.mktemp("synth-kinesis"), "--transport", "kinesis")


def localize(synth: Synth, arguments: dict[str, str], root: Path, resolved: dict[str, str]) -> list[str]:
    """The job's default arguments as Glue passes them (`--key value`), with the three rewrites above."""

    def location(uri: str) -> str:
        staged = synth.staged(uri)
        if staged is not None:
            return str(staged)
        match = S3_URI.match(uri)
        assert match is not None, uri
        bucket = REFERENCE.sub(lambda m: m.group(1).split(".")[1], match.group(1))
        return str(root / bucket / match.group(2))

    argv: list[str] = []
    for key, value in arguments.items():
        if value.startswith("s3://"):
            value = ",".join(location(part) for part in value.split(","))
        value = REFERENCE.sub(lambda m: resolved.get(m.group(1), m.group(0)), value)
        if "registry" in resolved:
            value = CLOUD_MAP_REGISTRY.sub(resolved["registry"], value)
        argv += [key, value]
    return argv


def run_job(
    synth: Synth, job: dict[str, Any], argv: list[str], *, parse_only: bool, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    script = synth.staged(job["command"]["script_location"])
    package = synth.staged(job["default_arguments"]["--extra-py-files"])
    assert script is not None and package is not None
    command = [sys.executable, str(RUNNER), "--package-zip", str(package), "--script", str(script)]
    return subprocess.run(
        [*command, *(["--parse-only"] if parse_only else []), "--", *argv],
        cwd=script.parent,  # not the checkout: nothing there may stand in for the staged package
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_every_artifact_a_job_names_is_staged(synth_both: Synth) -> None:
    jobs = synth_both.jobs()
    assert sorted(jobs) == ["streamsoft-dev-bronze", "streamsoft-dev-gold", "streamsoft-dev-silver"]
    for name, job in jobs.items():
        args = job["default_arguments"]
        staged = [job["command"]["script_location"], args["--extra-py-files"], *args["--additional-python-modules"].split(",")]
        staged += args["--extra-jars"].split(",") if "--extra-jars" in args else []
        for uri in staged:
            path = synth_both.staged(uri)
            assert path is not None and path.is_file(), f"{name}: {uri} is not staged by synth"
        pins = (REPO_ROOT / "glue-streaming" / "requirements-glue.txt").read_text().splitlines()
        assert len(args["--additional-python-modules"].split(",")) == len([p for p in pins if "==" in p and not p.startswith("#")])


def test_each_job_parser_accepts_exactly_the_synthesized_arguments(synth_both: Synth, tmp_path: Path) -> None:
    resolved = {"registry": "http://127.0.0.1:1"}  # parsing connects to nothing
    for name, job in synth_both.jobs().items():
        argv = localize(synth_both, job["default_arguments"], tmp_path, resolved)
        result = run_job(synth_both, job, argv, parse_only=True)
        assert result.returncode == 0, f"{name}: {result.stderr[-3000:]}"
        parsed = json.loads(result.stdout.strip().splitlines()[-1])
        assert parsed["parsed"] is True
        assert parsed["app"] == name  # the job names its Spark application after --JOB_NAME
        assert ".zip" in parsed["package"], parsed  # the package came from the staged zip


def test_a_synthesized_argument_the_parser_refuses_fails_the_contract(synth_both: Synth, tmp_path: Path) -> None:
    silver = synth_both.jobs()["streamsoft-dev-silver"]
    without_lake = {k: v for k, v in silver["default_arguments"].items() if k != "--lake-path"}
    result = run_job(synth_both, silver, localize(synth_both, without_lake, tmp_path, {}), parse_only=True)
    assert result.returncode == 2
    assert "lake-path" in result.stderr

    bronze = synth_both.jobs()["streamsoft-dev-bronze"]
    typo = {**bronze["default_arguments"], "--source": "kinesis,kafak"}
    result = run_job(synth_both, bronze, localize(synth_both, typo, tmp_path, {}), parse_only=True)
    assert result.returncode == 2
    assert "kafak" in result.stderr


def test_bronze_silver_and_gold_run_from_their_synthesized_definitions(
    synth_kinesis: Synth, tmp_path: Path, cloudwatch_endpoint: str, registry: ApicurioRegistry
) -> None:
    jobs = synth_kinesis.jobs()
    bronze = jobs["streamsoft-dev-bronze"]
    kinesalite = Kinesalite()
    stream = f"trades-{uuid.uuid4().hex[:8]}"
    aws = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "eu-west-1"}
    try:
        kinesalite.create_stream(stream, 2)
        # the real registry (Apicurio), as on AWS: the job reads the subject's latest version and schemas by id
        v2_id = registry.register(f"{stream}-value", SCHEMAS[V2_ID])
        # Event times an hour before now: silver accepts a trade at most 7 days older than its arrival, so
        # trade_frames' fixed EVENT_TIME went to trades_rejected (too_late) a week after it was written.
        recent = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)
        records = [
            (f"k{i}", frame({**trade(i, 2), "timestamp": recent + dt.timedelta(milliseconds=i)}, v2_id, SCHEMAS[V2_ID]))
            for i in range(60)
        ]
        acked = put_all(kinesalite.client(), stream, records)
        stream_reference = REFERENCE.search(bronze["default_arguments"]["--stream-name"])
        assert stream_reference is not None  # the stream name is what Terraform resolves at apply
        resolved = {stream_reference.group(1): stream, "registry": registry.origin}
        environment_endpoints = [
            "--kinesis-endpoint", kinesalite.endpoint,
            "--cloudwatch-endpoint", cloudwatch_endpoint,
            "--available-now", "true",
        ]  # fmt: skip
        for name in ("streamsoft-dev-bronze", "streamsoft-dev-silver", "streamsoft-dev-gold"):
            job = jobs[name]
            argv = localize(synth_kinesis, job["default_arguments"], tmp_path, resolved)
            if name.endswith("bronze"):
                argv += environment_endpoints
            result = run_job(synth_kinesis, job, argv, parse_only=False, env=aws)
            assert result.returncode == 0, f"{name}: {result.stderr[-4000:]}"
    finally:
        kinesalite.stop()

    lake = tmp_path / next(p.name for p in tmp_path.iterdir() if (p / "lake").is_dir()) / "lake"
    bronze_rows = DeltaTable(str(lake / "bronze" / "trades")).to_pyarrow_table()
    assert sorted(bronze_rows.column("_source_offset").to_pylist()) == sorted(a["sequence"] for a in acked)
    assert DeltaTable(str(lake / "silver" / "trades")).to_pyarrow_table().num_rows == 60
    ohlcv = DeltaTable(str(lake / "gold" / "ohlcv_1m")).to_pyarrow_table()
    assert sum(ohlcv.column("trade_count").to_pylist()) == 60
    # The job published its batch metrics under the namespace the alarms read.
    cloudwatch = boto3.client(
        "cloudwatch",
        endpoint_url=cloudwatch_endpoint,
        region_name="eu-west-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    namespace = bronze["default_arguments"]["--cloudwatch-namespace"]
    assert cloudwatch.list_metrics(Namespace=namespace)["Metrics"], namespace

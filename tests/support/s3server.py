"""An S3-compatible server of our own for the storage tests: moto's server (`python -m moto.server`) in its
own process on a free loopback port, so a test can stop it.

What it proves and what it does not: moto answers the S3 protocol as AWS documents it (objects, HEAD,
multipart uploads, ranges, 404s), so the platform's use of the protocol is tested for real, over HTTP.
It is an emulator: it checks no request signatures (a wrong secret key is accepted) and does not refuse an
expired presigned URL, so these tests claim nothing about either; the signing is boto3's own."""
import os
import socket
import subprocess
import sys
import time
import uuid

from .services import free_port, stop_process

REGION = "eu-central-1"
ACCESS_KEY, SECRET_KEY = "test-key", "test-secret"


class S3Server:
    def __init__(self, data_dir):
        self.data_dir = data_dir  # large objects spill from moto's memory into temporary files here
        self.port = free_port()
        self.process = None
        self._client = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        os.makedirs(self.data_dir, exist_ok=True)
        environment = {**os.environ, "TMPDIR": str(self.data_dir)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the S3 server (moto) stopped at start-up with exit code {self.process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("the S3 server (moto) did not start within 30 s")

    def stop(self):
        stop_process(self.process)
        self.process = None

    def client(self):
        """A boto3 client of the tests' own, to look into the bucket independently of the platform's code."""
        if self._client is None:
            import boto3

            self._client = boto3.session.Session().client(
                "s3", endpoint_url=self.url, region_name=REGION, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
        return self._client

    def new_bucket(self):
        name = f"gc-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        return name

    def settings(self, bucket, **overrides):
        """The platform's settings for `bucket` on this server (the names operators set)."""
        return {
            "STORAGE_BACKEND": "s3", "S3_ENDPOINT_URL": self.url, "S3_BUCKET": bucket, "S3_REGION": REGION,
            "S3_ACCESS_KEY_ID": ACCESS_KEY, "S3_SECRET_ACCESS_KEY": SECRET_KEY, "S3_PREFIX": "gc/", **overrides,
        }

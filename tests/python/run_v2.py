"""Cloud Run v2's Python client (google-cloud-run, google.cloud.run_v2) against the emulator:
list (paged), get, wait, delete and a missing operation, over REST. See lro_check.py."""

from google.cloud import run_v2

import lro_check

plan = lro_check.plan_from_argv()
client = run_v2.ServicesClient(**lro_check.client_kwargs(plan))
# Run v2's mutations carry the Service itself as their metadata.
lro_check.exercise(client, plan, run_v2.Service.pb())

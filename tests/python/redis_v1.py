"""Memorystore for Redis' Python client (google-cloud-redis, google.cloud.redis_v1) against
the emulator: list (paged), get, cancel, delete and a missing operation, over REST. See
lro_check.py."""

from google.cloud import redis_v1

import lro_check

plan = lro_check.plan_from_argv()
client = redis_v1.CloudRedisClient(**lro_check.client_kwargs(plan))
lro_check.exercise(client, plan, redis_v1.OperationMetadata.pb())

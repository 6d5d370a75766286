"""Settings for the Celery processes that ``test_celery_worker.py`` starts.

The portal's own settings, with the broker's keys under a prefix of the test's own and a private
queue, so workers of parallel test runs sharing one Redis never take each other's messages; and a
short visibility timeout, so a message whose worker was killed is delivered again within seconds
instead of the production 15 minutes.
"""

import os

from portal.settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ["PORTAL_TEST_QUEUE"]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "global_keyprefix": f"{CELERY_TASK_DEFAULT_QUEUE}:",
    "visibility_timeout": 3,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

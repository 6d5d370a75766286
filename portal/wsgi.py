import os

from django.core.wsgi import get_wsgi_application

from portal.common.gc_tuning import gc_tune_for_serving

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()
gc_tune_for_serving()
